"""HTTP plumbing shared by the adapters: bounded exchanges, answers, retries, the rate
limit and the request metrics. No API's meaning lives here."""
