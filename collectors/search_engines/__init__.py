"""The engines of the ``search`` source kind, one module each with an ``ENGINE`` and a
``search(request)`` function (see ``collectors.searching``)."""
