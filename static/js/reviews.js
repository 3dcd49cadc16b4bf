// reviews: behaviour of this feature, initialised with htmx.onLoad so swapped content works too.
