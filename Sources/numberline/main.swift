print("numberline")
