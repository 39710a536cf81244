"""Every rule module; importing this package registers them all."""
