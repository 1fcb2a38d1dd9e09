"""SHA-1 of the phantom generator's sources (wasm/phantoms/*).

train.py keys its data-set cache with it, so an edited generator never reuses
old cases; check_zoo.py records it on the cards it re-measures.
"""
import hashlib
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def generator_digest():
    h = hashlib.sha1()
    d = os.path.join(ROOT, "wasm", "phantoms")
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            h.update(name.encode() + f.read())
    return h.hexdigest()
