"""Wire contracts; the modules below are generated from protos/, never edited."""
