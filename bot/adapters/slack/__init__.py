"""The Slack adapter: slack-bolt in front of the core, Block Kit out."""
