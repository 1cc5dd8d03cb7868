"""membermock: contracts for WordPress membership plugin REST APIs, and the tools built on them."""
