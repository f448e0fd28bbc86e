from livebazaar.cli.main import cli

cli()
