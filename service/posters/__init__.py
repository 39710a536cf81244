"""Rights posters (维权信息告示牌) for every construction site and workplace, with a QR code."""
