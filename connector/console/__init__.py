"""The web console: what the connector did, for admins and counsellors."""
