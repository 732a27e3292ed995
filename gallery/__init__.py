"""The gallery: every finished drawing is saved; players publish, replay, like and report them."""
