"""Legal aid for workers: the county legal-aid centres and the hotlines (Legal Aid Law 2021)."""
