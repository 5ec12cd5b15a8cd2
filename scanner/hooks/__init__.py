"""Git hooks: the pre-push scope, the message that stops a commit or push, and installing
the hook scripts."""
