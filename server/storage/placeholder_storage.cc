// placeholder, replaced by the real storage code
