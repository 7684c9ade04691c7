/*!
sleuth's prompts and answer formats: the system prompt, tool descriptions and answer templates
as text files under `prompts/templates/`, embedded at build time and rendered with named
variables. A prompt is product copy: reviewed like code and snapshot-tested.

Empty until the assistant issue lands (see `shared/DESIGN.md` §1–§2); it performs no I/O.
*/
