"""Text messages to workers who left a mobile number and agreed to be told by SMS."""
