"""Learning pages: what emotional blunting is, its causes and where to find help, in plain words."""
