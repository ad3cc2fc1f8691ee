"""The command line: `mission-coach score | tally | demo | export | backup | restore | serve`."""
