"""Build and check the AWS deployment: sam build, layer sizes, template lint."""
