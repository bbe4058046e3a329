#!/usr/bin/env node
// Launcher: everything lives in the built CLI (dist/cli/main.js).
import '../dist/cli/main.js';
