"""Add test data to a `numberline serve --demo` server before the contract run.

The demo data has accounts but no carriers or numbers, so without this step most feature,
Teams and Zoom operations return 404 and their 200 responses never meet the document. This
script gives the first demo customer numbers with every feature, a Teams user, a Zoom peering,
a site and an emergency address, and leaves more numbers in the reseller's inventory.

Usage: python3 ci/contract-seed.py URL
    URL is the server's loopback base URL, for example http://127.0.0.1:8080.
Environment: NUMBERLINE_API_KEY, NUMBERLINE_USERNAME, NUMBERLINE_PASSWORD (the reseller login),
NUMBERLINE_ADMIN_USERNAME (the platform admin, who alone may create carriers) and
NUMBERLINE_INSTANCE. Exits non-zero, naming the call, when any call fails.
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

TENANT_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
# Fictional 555-01xx numbers of the 919 area code, as in the document's examples.
CUSTOMER_NUMBERS = [f"191955501{n:02d}" for n in range(0, 20)]
RESELLER_NUMBERS = [f"191955501{n:02d}" for n in range(20, 30)]

# An empty ProxyHandler keeps every call on the loopback URL even when proxy variables are set.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SeedError(Exception):
    pass


def call(base_url, method, path, *, token=None, body=None, form=None):
    """Send one request and return the decoded JSON response. Raise SeedError unless the status is 200."""
    headers = {"x-api-key": os.environ["NUMBERLINE_API_KEY"]}
    data = None
    if token:
        headers["x-access-token"] = token
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode("ascii")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(base_url + path, data=data, headers=headers, method=method)
    try:
        with OPENER.open(request, timeout=30) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")[:500]
        raise SeedError(f"{method} {path} failed with HTTP {error.code}: {detail}") from error
    except (urllib.error.URLError, TimeoutError) as error:
        raise SeedError(f"{method} {path} failed: {error}") from error


def sign_in(base_url, username):
    form = {"username": username, "password": os.environ["NUMBERLINE_PASSWORD"]}
    instance = os.environ.get("NUMBERLINE_INSTANCE", "")
    if instance:
        form["instance"] = instance
    return call(base_url, "POST", "/v1/oauth2/authorize", form=form)["access_token"]


def seed(base_url):
    admin = sign_in(base_url, os.environ["NUMBERLINE_ADMIN_USERNAME"])
    reseller = sign_in(base_url, os.environ["NUMBERLINE_USERNAME"])

    customers = call(base_url, "GET", "/v1/accounts/customers", token=reseller)
    if not customers:
        raise SeedError("the demo reseller has no customers; start the server with --demo")
    customer = customers[0]["customerAccount"]["customerId"]

    carrier = call(base_url, "POST", "/v1/carriers", token=admin, body={"name": "Contract Carrier"})["id"]
    call(
        base_url, "POST", f"/v1/carriers/{carrier}/numbers", token=reseller,
        body={"telephoneNumbers": CUSTOMER_NUMBERS, "customerId": customer, "type": "DID", "routeLabel": "demo"},
    )
    call(base_url, "POST", f"/v1/carriers/{carrier}/numbers", token=reseller, body={"telephoneNumbers": RESELLER_NUMBERS})

    link = {"accountType": "Customer", "customerAccount": {"msTeamsTenantId": TENANT_ID, "zoomAccountId": "contract-zoom"}}
    call(base_url, "PUT", f"/v1/accounts/{customer}", token=reseller, body=link)

    first, second, third, fourth = CUSTOMER_NUMBERS[:4]
    call(base_url, "POST", "/v1/cnam", token=reseller, body={"telephoneNumbers": [first], "callingName": "Acme Dental"})
    call(
        base_url, "POST", "/v1/callforwarding", token=reseller,
        body={"telephoneNumbers": [first], "callForwardNumber": "9195551234", "countryCode": "US"},
    )
    call(
        base_url, "POST", "/v1/cpn", token=reseller,
        body={"telephoneNumbers": [first], "cpnNumber": second, "countryCode": "US"},
    )
    call(
        base_url, "POST", "/v1/internationalcalling", token=reseller,
        body={"telephoneNumbers": [first], "criteria": "BLOCK-ALL-INTL"},
    )
    call(
        base_url, "POST", "/v1/disasterplans", token=reseller,
        body={"telephoneNumbers": [first, second], "callForwardNumber": "9195551234", "countryCode": "US"},
    )

    site = call(base_url, "POST", f"/v1/sites?customerId={customer}", token=reseller, body={"departmentName": "Front desk"})
    address = {
        "name": "Head office", "streetNumber": "200", "streetName": "Oak Avenue", "addressType": "OFC",
        "addressDescription": "Floor 2", "countryCode": "US", "postalCode": "27701", "stateCode": "NC", "city": "Durham",
        "telephoneNumbers": [first, third],
    }
    call(base_url, "POST", f"/v1/emergencyaddresses?customerId={customer}", token=reseller, body=address)

    user = {
        "upn": "front.desk@acme.example", "firstName": "Front", "lastName": "Desk", "note": "Reception",
        "telephoneNumber": third, "siteId": site["siteId"],
    }
    call(base_url, "POST", f"/v1/msteams/{customer}/users", token=reseller, body=user)
    call(base_url, "POST", f"/v1/zoom/{customer}/numbers", token=reseller, body={"telephoneNumbers": [fourth]})
    print(f"seeded customer {customer}: {len(CUSTOMER_NUMBERS)} numbers, carrier {carrier}, "
          f"{len(RESELLER_NUMBERS)} numbers in the reseller's inventory")


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} URL", file=sys.stderr)
        return 2
    try:
        seed(sys.argv[1].rstrip("/"))
    except SeedError as error:
        print(f"error: seeding the contract server failed: {error}", file=sys.stderr)
        return 1
    except KeyError as error:
        print(f"error: environment variable {error} is missing; set it before seeding", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
