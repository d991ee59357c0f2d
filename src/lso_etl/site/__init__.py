"""Site knowledge for baolangson.vn as data: URL rules (`urls`) and page layouts (`profile`)."""
