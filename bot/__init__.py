"""gigbot: a gig board bot for freelancing communities on Slack, Discord and the console."""
