//! The message loop: the protocol's lifecycle (`initialize`, `shutdown`, `exit`), the
//! document notifications, and one handler per request.

use std::panic::{AssertUnwindSafe, catch_unwind};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response, ResponseError};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Exit,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, Formatting, GotoDefinition, HoverRequest, Initialize,
    References, Request as _, Shutdown,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CodeActionResponse, CompletionOptions, CompletionParams, CompletionResponse,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, DocumentFormattingParams, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverParams, HoverProviderCapability, InitializeResult,
    Location, OneOf, PositionEncodingKind, PublishDiagnosticsParams, ReferenceParams,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit,
};
use serde_json::Value;

use super::workspace::{DocKey, Scope, Workspace};
use super::{complete, edit, navigate, text};

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The editor sent `exit`; after `shutdown` when `after_shutdown`.
    Exit {
        /// Whether `shutdown` came first, as the protocol asks.
        after_shutdown: bool,
    },
    /// The editor closed the connection without `exit`.
    Closed,
    /// Messages to the editor could no longer be sent.
    Lost,
}

impl Ending {
    /// The process's exit code, as the protocol says: 0 after `shutdown` then `exit`,
    /// 1 otherwise.
    pub fn code(self) -> u8 {
        match self {
            Ending::Exit {
                after_shutdown: true,
            } => 0,
            _ => 1,
        }
    }
}

/// Where the session is in the protocol's lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Before `initialize`: every request but it is refused, notifications dropped.
    Waiting,
    /// Serving.
    Running,
    /// After `shutdown`: only `exit` is expected.
    ShutDown,
}

/// Answer the editor on a connection until it says `exit` or goes away.
pub fn serve(connection: &Connection) -> Ending {
    let mut server = Server {
        connection,
        workspace: Workspace::default(),
        phase: Phase::Waiting,
    };
    while let Ok(message) = connection.receiver.recv() {
        let sent = match message {
            Message::Request(request) => server.request(request),
            Message::Notification(notification) if notification.method == Exit::METHOD => {
                return Ending::Exit {
                    after_shutdown: server.phase == Phase::ShutDown,
                };
            }
            Message::Notification(notification) => server.notification(notification),
            Message::Response(_) => true,
        };
        if !sent {
            return Ending::Lost;
        }
    }
    Ending::Closed
}

/// A session: the connection, the documents and rule sets, and the lifecycle phase.
struct Server<'a> {
    connection: &'a Connection,
    workspace: Workspace,
    phase: Phase,
}

/// A handler's answer: the result, or the error to answer with.
type Answer = Result<Value, ResponseError>;

impl Server<'_> {
    /// Answer a request; whether the answer could be sent.
    fn request(&mut self, request: Request) -> bool {
        let id = request.id.clone();
        let method = request.method.as_str();
        let answer = match (self.phase, method) {
            (Phase::Waiting, Initialize::METHOD) => {
                self.phase = Phase::Running;
                to_value(initialize_result())
            }
            (Phase::Waiting, _) => Err(error(
                ErrorCode::ServerNotInitialized,
                format!("`{method}` before `initialize`"),
            )),
            (Phase::ShutDown, _) => Err(error(
                ErrorCode::InvalidRequest,
                format!("`{method}` after `shutdown`: only `exit` is expected"),
            )),
            (Phase::Running, Shutdown::METHOD) => {
                self.phase = Phase::ShutDown;
                Ok(Value::Null)
            }
            (Phase::Running, Initialize::METHOD) => Err(error(
                ErrorCode::InvalidRequest,
                "`initialize` was already received".to_owned(),
            )),
            (Phase::Running, _) => self.guarded(request),
        };
        let response = Response {
            id,
            response_result: answer,
        };
        self.send(response.into())
    }

    /// A request's answer; a bug that panics answers an internal error instead of
    /// ending the session.
    fn guarded(&mut self, request: Request) -> Answer {
        let method = request.method.clone();
        catch_unwind(AssertUnwindSafe(|| self.handle(request))).unwrap_or_else(|_| {
            Err(error(
                ErrorCode::InternalError,
                format!("crossfoot failed on `{method}`: this is a bug, please report it"),
            ))
        })
    }

    fn handle(&mut self, request: Request) -> Answer {
        let Request { method, params, .. } = request;
        match method.as_str() {
            HoverRequest::METHOD => self.on::<HoverRequest>(params, Self::hover),
            GotoDefinition::METHOD => self.on::<GotoDefinition>(params, Self::definition),
            References::METHOD => self.on::<References>(params, Self::references),
            Formatting::METHOD => self.on::<Formatting>(params, Self::formatting),
            Completion::METHOD => self.on::<Completion>(params, Self::completion),
            CodeActionRequest::METHOD => self.on::<CodeActionRequest>(params, Self::code_action),
            _ => Err(error(
                ErrorCode::MethodNotFound,
                format!("crossfoot does not serve `{method}`"),
            )),
        }
    }

    /// Run a handler on a request's parameters, read as its type says.
    fn on<R: lsp_types::request::Request>(
        &mut self,
        params: Value,
        handler: fn(&mut Self, R::Params) -> R::Result,
    ) -> Answer {
        let params = serde_json::from_value(params).map_err(|problem| {
            error(
                ErrorCode::InvalidParams,
                format!("invalid parameters for `{}`: {problem}", R::METHOD),
            )
        })?;
        to_value(handler(self, params))
    }

    fn hover(&mut self, params: HoverParams) -> Option<Hover> {
        let at = params.text_document_position_params;
        let (analysis, file) = self.workspace.file_of(&at.text_document.uri)?;
        navigate::hover(analysis, file, at.position)
    }

    fn definition(&mut self, params: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
        let at = params.text_document_position_params;
        let (analysis, file) = self.workspace.file_of(&at.text_document.uri)?;
        navigate::definition(analysis, file, at.position).map(GotoDefinitionResponse::Scalar)
    }

    fn references(&mut self, params: ReferenceParams) -> Option<Vec<Location>> {
        let at = params.text_document_position;
        let (analysis, file) = self.workspace.file_of(&at.text_document.uri)?;
        let declaration = params.context.include_declaration;
        navigate::references(analysis, file, at.position, declaration)
    }

    fn formatting(&mut self, params: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
        let uri = params.text_document.uri;
        edit::format(uri.as_str(), self.workspace.text(&uri)?)
    }

    fn completion(&mut self, params: CompletionParams) -> Option<CompletionResponse> {
        let at = params.text_document_position;
        let (analysis, file) = self.workspace.file_of(&at.text_document.uri)?;
        let items = complete::completion(analysis, file.source.text(), at.position);
        Some(CompletionResponse::Array(items))
    }

    fn code_action(&mut self, params: CodeActionParams) -> Option<CodeActionResponse> {
        let uri = params.text_document.uri;
        let key = DocKey::of(&uri);
        let analysis = self.workspace.analysis(&key.scope());
        let file = analysis.files.iter().position(|file| file.key == key)?;
        let only = params.context.only.as_deref();
        Some(edit::quick_fixes(analysis, file, &uri, params.range, only))
    }

    /// Act on a notification; whether what it asked to send could be sent. Before
    /// `initialize` and after `shutdown` notifications are dropped, as the protocol says.
    fn notification(&mut self, notification: Notification) -> bool {
        if self.phase != Phase::Running {
            return true;
        }
        let scope = catch_unwind(AssertUnwindSafe(|| self.document(notification)));
        match scope {
            Ok(Some(scope)) => self.publish(&scope),
            Ok(None) | Err(_) => true,
        }
    }

    /// A document notification: the rule set it changed, if any.
    fn document(&mut self, notification: Notification) -> Option<Scope> {
        let Notification { method, params } = notification;
        match method.as_str() {
            DidOpenTextDocument::METHOD => {
                let params: DidOpenTextDocumentParams = serde_json::from_value(params).ok()?;
                let document = params.text_document;
                Some(self.workspace.open(document.uri, document.text))
            }
            DidChangeTextDocument::METHOD => {
                let params: DidChangeTextDocumentParams = serde_json::from_value(params).ok()?;
                let uri = params.text_document.uri;
                let changed =
                    text::apply_changes(self.workspace.text(&uri)?, params.content_changes);
                self.workspace.change(&uri, changed)
            }
            DidSaveTextDocument::METHOD => {
                let params: DidSaveTextDocumentParams = serde_json::from_value(params).ok()?;
                Some(self.workspace.saved(&DocKey::of(&params.text_document.uri)))
            }
            DidCloseTextDocument::METHOD => {
                let params: DidCloseTextDocumentParams = serde_json::from_value(params).ok()?;
                Some(self.workspace.close(&params.text_document.uri))
            }
            _ => None,
        }
    }

    /// Publish a rule set's diagnostics; whether they could be sent.
    fn publish(&mut self, scope: &Scope) -> bool {
        for (uri, diagnostics) in self.workspace.publish(scope) {
            let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
            let Ok(params) = serde_json::to_value(params) else {
                continue;
            };
            let message = Notification {
                method: PublishDiagnostics::METHOD.to_owned(),
                params,
            };
            if !self.send(message.into()) {
                return false;
            }
        }
        true
    }

    fn send(&self, message: Message) -> bool {
        self.connection.sender.send(message).is_ok()
    }
}

/// What the server does, said once in answer to `initialize`.
fn initialize_result() -> InitializeResult {
    let sync = TextDocumentSyncOptions {
        open_close: Some(true),
        change: Some(TextDocumentSyncKind::FULL),
        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
        ..TextDocumentSyncOptions::default()
    };
    let capabilities = ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(sync)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions::default()),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    };
    InitializeResult {
        capabilities,
        server_info: Some(ServerInfo {
            name: "crossfoot".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    }
}

fn to_value(value: impl serde::Serialize) -> Answer {
    serde_json::to_value(value).map_err(|problem| {
        error(
            ErrorCode::InternalError,
            format!("cannot write the answer: {problem}"),
        )
    })
}

fn error(code: ErrorCode, message: String) -> ResponseError {
    ResponseError {
        code: code as i32,
        message,
        data: None,
    }
}
