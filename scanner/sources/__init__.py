"""Sources turn inputs (files, archives, stdin, git objects) into chunks of text."""
