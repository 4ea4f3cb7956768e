// placeholder, replaced by the real session code
