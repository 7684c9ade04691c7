//! [`Sleuth`]: the MCP server handler. Every request is answered from the agent's [`ToolBox`]
//! in server mode, so a tool argument never opens a local file, and what the tools return is
//! already redacted; this layer only translates to and from MCP.

use std::sync::Arc;

use base64::Engine as _;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorCode, GetPromptRequestParams,
    GetPromptResponse, GetPromptResult, Implementation, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, PromptMessage, ReadResourceRequestParams,
    ReadResourceResponse, Role, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::{catalogue, resources};
use crate::agent::ToolBox;

/// Longest text content of one tool result; a client's model pays for every character.
const MAX_TEXT: usize = 100_000;

/// What the server lists.
struct Catalogue {
    tools: Vec<rmcp::model::Tool>,
    prompts: Vec<rmcp::model::Prompt>,
}

/// The MCP face of sleuth's tools.
#[derive(Clone)]
pub struct Sleuth {
    tools: ToolBox,
    /// The tools and prompts as MCP lists them: fixed for the server's life, made once.
    catalogue: Arc<Catalogue>,
    /// The index's documents, listed once on first use.
    docs: Arc<OnceCell<Vec<retriever::DocumentInfo>>>,
}

impl Sleuth {
    /// Serve these tools (the toolbox should be in server mode).
    pub fn new(tools: ToolBox) -> Sleuth {
        let catalogue =
            Arc::new(Catalogue { tools: catalogue::tools(&tools), prompts: catalogue::prompts(&tools) });
        Sleuth { tools, catalogue, docs: Arc::new(OnceCell::new()) }
    }

    /// What every tool result and resource says first when it reads the bundled demo.
    fn demo_note(&self) -> Option<String> {
        self.tools.demo.what().map(|what| {
            format!("Demo: the {what} here are sleuth's bundled demo workspace (a made-up company's), not a real system.")
        })
    }

    async fn documents(&self) -> Result<&[retriever::DocumentInfo], ErrorData> {
        let Some(searcher) = self.tools.searcher.clone() else { return Ok(&[]) };
        self.docs
            .get_or_try_init(|| async move {
                tokio::task::spawn_blocking(move || searcher.documents())
                    .await
                    .map_err(|e| ErrorData::internal_error(e.to_string(), None))?
                    .map_err(|e| ErrorData::internal_error(format!("cannot list the documents: {e}"), None))
            })
            .await
            .map(Vec::as_slice)
    }

    /// One tool call as an MCP result: the text for a model to read, the same result as JSON.
    async fn call(&self, name: &str, args: &Value) -> CallToolResult {
        // Each call is a turn of its own: what it reads is fresh, and nothing is kept after.
        let cluster = self.tools.cluster.as_ref();
        cluster.inspect(|c| c.new_turn());
        let out = self.tools.call(name, args).await;
        cluster.inspect(|c| c.new_turn());
        // A graph's collapsed picture goes to the client as a PNG image beside the text.
        let image = match out.graph.clone() {
            Some(g) if out.ok => tokio::task::spawn_blocking(move || {
                picture::png(&g.render(rcagraph::Format::Svg, false, rcagraph::View::Collapsed))
            })
            .await
            .ok()
            .and_then(Result::ok)
            .map(|png| {
                ContentBlock::image(base64::engine::general_purpose::STANDARD.encode(png), "image/png")
            }),
            _ => None,
        };
        let mut text = out.text;
        if text.chars().count() > MAX_TEXT {
            text = prompts::ellipsis(&text, MAX_TEXT);
            text.push_str("\n(cut: narrow the call — a namespace, a name, a selector — to see the rest)");
        }
        if let Some(note) = self.demo_note() {
            text = format!("{note}\n\n{text}");
        }
        let structured =
            json!({"ok": out.ok, "demo": self.tools.demo.any(), "data": out.data, "sources": out.sources});
        let content: Vec<ContentBlock> = std::iter::once(ContentBlock::text(text)).chain(image).collect();
        let mut result =
            if out.ok { CallToolResult::success(content) } else { CallToolResult::error(content) };
        result.structured_content = Some(structured);
        result
    }
}

fn cursor(req: Option<&PaginatedRequestParams>) -> Option<&str> {
    req.and_then(|r| r.cursor.as_deref())
}

/// Runs a request's work until it is done or the client cancels the request, whichever comes
/// first; dropping the work stops it.
async fn unless_cancelled<T>(
    ctx: &RequestContext<RoleServer>,
    work: impl std::future::Future<Output = Result<T, ErrorData>>,
) -> Result<T, ErrorData> {
    tokio::select! {
        () = ctx.ct.cancelled() => Err(ErrorData::new(ErrorCode::INVALID_REQUEST, "cancelled by the client", None)),
        result = work => result,
    }
}

impl ServerHandler for Sleuth {
    fn get_info(&self) -> ServerConfig {
        let cluster = match &self.tools.cluster {
            Some(c) => format!("one cluster ({})", c.describe()),
            None => "no cluster".to_string(),
        };
        let instructions = prompts::render(
            "mcp/instructions.md",
            json!({"cluster": cluster, "demo": self.tools.demo.what()}),
        )
        .unwrap_or_default();
        ServerConfig::new(
            ServerCapabilities::builder().enable_tools().enable_resources().enable_prompts().build(),
        )
        .with_server_info(
            Implementation::new("sleuth", env!("CARGO_PKG_VERSION")).with_title("sleuth").with_description(
                "Read-only Kubernetes troubleshooting tools over the team's documents and cluster",
            ),
        )
        .with_instructions(instructions)
    }

    async fn list_tools(
        &self,
        req: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let (items, next) = catalogue::page(&self.catalogue.tools, cursor(req.as_ref()))?;
        let mut result = ListToolsResult::with_all_items(items);
        result.next_cursor = next;
        Ok(result)
    }

    async fn call_tool(
        &self,
        req: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = req.name.to_string();
        if !self.catalogue.tools.iter().any(|t| t.name == name) {
            return Err(ErrorData::invalid_params(
                format!("unknown tool {name:?}; tools/list lists the tools"),
                None,
            ));
        }
        let args = Value::Object(req.arguments.unwrap_or_default());
        unless_cancelled(&ctx, async { Ok(self.call(&name, &args).await.into()) }).await
    }

    async fn list_resources(
        &self,
        req: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let all = resources::list(&self.tools, self.documents().await?);
        let (items, next) = catalogue::page(&all, cursor(req.as_ref()))?;
        let mut result = ListResourcesResult::with_all_items(items);
        result.next_cursor = next;
        Ok(result)
    }

    async fn list_resource_templates(
        &self,
        _req: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let templates = if self.tools.searcher.is_some() { resources::templates() } else { Vec::new() };
        Ok(ListResourceTemplatesResult::with_all_items(templates))
    }

    async fn read_resource(
        &self,
        req: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        unless_cancelled(&ctx, async {
            resources::read(&self.tools, &req.uri, self.demo_note().as_deref()).await.map(Into::into)
        })
        .await
    }

    async fn list_prompts(
        &self,
        req: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let (items, next) = catalogue::page(&self.catalogue.prompts, cursor(req.as_ref()))?;
        let mut result = ListPromptsResult::with_all_items(items);
        result.next_cursor = next;
        Ok(result)
    }

    async fn get_prompt(
        &self,
        req: GetPromptRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let Some(prompt) = self.catalogue.prompts.iter().find(|p| p.name == req.name).cloned() else {
            return Err(ErrorData::invalid_params(
                format!("unknown prompt {:?}; prompts/list lists them", req.name),
                None,
            ));
        };
        let args = req.arguments.unwrap_or_default();
        let arg =
            |name: &str| args.get(name).and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty());
        let mut vars = serde_json::Map::new();
        for a in prompt.arguments.iter().flatten() {
            let value = arg(&a.name);
            if a.required == Some(true) && value.is_none() {
                return Err(ErrorData::invalid_params(
                    format!("prompt {}: missing argument {:?}", prompt.name, a.name),
                    None,
                ));
            }
            vars.insert(a.name.clone(), value.map_or(Value::Null, |v| Value::String(v.to_string())));
        }
        let text = prompts::render(&format!("mcp/{}.md", prompt.name), Value::Object(vars))
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let mut result = GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]);
        if let Some(d) = prompt.description {
            result = result.with_description(d);
        }
        Ok(result.into())
    }
}
