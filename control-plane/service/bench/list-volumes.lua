-- GET one page (50) of the acme tenant's volumes; the token comes from the environment.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.path = "/api/v1/volumes?limit=50"
