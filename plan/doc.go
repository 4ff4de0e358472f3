// Package plan decides what a backup contains, following the planner of
// OpenClaw 2026.9.6, so that clawback and OpenClaw back up the same roots and
// describe them with the same manifest paths, kinds and skip reasons.
//
// Make works in five steps:
//
//  1. Resolve the locations. The effective home is OPENCLAW_HOME (with a
//     leading ~ expanded), then HOME, then USERPROFILE, then Env.Home. The
//     state directory is OPENCLAW_STATE_DIR, else ~/.openclaw, else the
//     legacy ~/.clawdbot when only that exists. The config file is
//     OPENCLAW_CONFIG_PATH, else openclaw.json or clawdbot.json in the state
//     directory (with OpenClaw's home fallbacks); the credentials directory
//     is OPENCLAW_OAUTH_DIR, else <state>/credentials.
//  2. Read the config as JSON5 and list the agents from both of its shapes,
//     agents.entries (2026.9, in key order) and agents.list (2026.4), giving
//     each agent its workspace and its agent directory the way OpenClaw does.
//     A config that cannot be parsed stops the plan unless only the config
//     is backed up, even with workspaces excluded, as in 2026.9.6.
//  3. Build the candidates: the state directory, the config and credentials
//     when they lie outside it, the workspaces, the agent directories and
//     the --source paths. Each is canonicalised with realpath; they are
//     sorted by the length of that path, then by kind (state, config,
//     credentials, workspace, agent, path), then by an approximation of
//     JavaScript's localeCompare, so that parents come before children.
//     Exact duplicates are dropped silently; a missing candidate is skipped
//     as "missing" (a default agent directory that is missing is dropped);
//     one inside an included asset is skipped as "covered".
//     A --source path (kind "path", a clawback addition) must exist; it
//     takes part like any other candidate, so one inside the state
//     directory is covered, and without OpenClaw state the sources alone
//     are backed up while the state directory and default workspace are
//     listed as missing rather than reported as an error.
//  4. Find the regenerable roots inside the included assets: the managed
//     state directories dev, git, npm, npm-runtime, tmp and tools, the tmp
//     and .tmp directories under default agent directories, plugin-skills
//     and each installed plugin's node_modules. Those that exist are listed
//     as "regenerable" after the other skips, in path order, and every one
//     of them goes into Prune so that the walk never enters it. With
//     workspaces excluded, the workspace directories inside an asset are
//     pruned too, without being listed.
//  5. Resolve the output path and check it: the default name goes in the
//     working directory, or in the home directory when the working
//     directory lies inside an asset; the output must not lie inside an
//     asset and must not exist yet.
//
// Limits: Make only reads the file system; it creates nothing. It does not
// validate the config against OpenClaw's schema (only JSON5 syntax), follow
// $include directives, discover plugins beyond <state>/extensions, or look
// for symbolic links in managed skills; OpenClaw's "private" update captures
// are not detected. A config or credentials path inside the state directory
// counts as covered even where OpenClaw's volatile rules would skip it. A
// regenerable root that contains a path the backup must
// keep (the config, the credentials, an agent directory, a workspace or a
// --source path) is neither pruned nor listed, so nothing the user needs is
// lost; OpenClaw walks into such a root to fetch only the kept path.
package plan
