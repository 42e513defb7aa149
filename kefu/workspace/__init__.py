"""The top floor: what spans several apps (demo data, site navigation, the customer 360 page).

It may import every app below it; nothing imports it (kefu/floors.py)."""
