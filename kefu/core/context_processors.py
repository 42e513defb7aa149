from django.conf import settings


def kefu(request):
    """Values every page needs: the language list and the current user's staff profile."""
    user = getattr(request, "user", None)
    staff = getattr(user, "staff", None) if user is not None and user.is_authenticated else None
    return {"KEFU_LANGUAGES": settings.LANGUAGES, "current_staff": staff}
