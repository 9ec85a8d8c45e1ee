"""The recipes of the images area: what its checks (conformance/checks/images.py) read."""

from __future__ import annotations

from conformance.recipes import bodies
from conformance.recipes.engine import recipe


@recipe
def image_2k_response(client, target):
    return client.generate(target.model("image"), bodies.image_request(image_size="2K"))


@recipe
def image_variant_response(client, target, variant):
    return client.generate(target.model("image") + variant, bodies.image_request())
