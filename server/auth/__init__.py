"""Identity and access: passwords, second factors, sessions, authorization."""
