"""Evidence a worker uploads to a complaint: checked like a deposit proof, kept only cleaned."""
