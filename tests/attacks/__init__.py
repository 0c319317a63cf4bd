"""Attack tests: each module tries one hole an attack review found (issue 13), as an attacker
would from outside, and passes only while its defence holds. docs/security.md lists them."""
