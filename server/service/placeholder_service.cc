// placeholder, replaced by the real service code
