"""chatterm's widgets, one per file, grouped by what they show.

conversation.py     ConversationView    the scrolling pane; mounts a bounded window
message.py          UserMessageView, AssistantMessageView, build_message_view
branch_stepper.py   BranchStepper       ‹ 2/3 › on a message with siblings
structured.py       SchemaCheck         a JSON reply's verdict against the chat's schema
reply_body.py       ReplyBody           streamed Markdown (live tail + frozen leaves)
frozen_markdown.py  FrozenMarkdown      finished Markdown as one leaf widget
frame_clock.py      FrameClock          one frame loop for every streaming ReplyBody
screen_batch.py     batch_update        a batch update that repaints the screen after
thinking.py         ThinkingBlock       collapsible reasoning
tool_call.py        ToolCallRow         one tool call: args, status, result
citations.py        CitationList        numbered sources under a reply
error_row.py        ErrorRow, NoticeRow a failed reply / a stopped tool loop
prompt.py           PromptBox           the multi-line prompt (Enter sends)
attachments.py      AttachmentChips     files waiting to be sent
status_bar.py       StatusBar           model, toggles, schema, last reply's figures
"""
