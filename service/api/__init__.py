"""The JSON API: one router per domain, the twins of the portal pages.

Routers sit above the domains and the use cases (service/flows) they call, so a domain
package never imports a router.
"""
