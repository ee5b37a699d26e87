use super::*;

fn summary(n: usize) -> MessageSummary {
    MessageSummary {
        id: MessageId(n as i64 + 1),
        folder_id: FolderId(1),
        subject: format!("Subject {n}"),
        from_name: "A".into(),
        from_addr: "a@example.com".into(),
        date: 1_700_000_000 - n as i64,
        flags: Flags::default(),
        has_attachments: false,
        size: 100,
        thread_size: 1,
    }
}

fn page(request: PageRequest, count: usize) -> Message {
    let rows = (request.start..(request.start + request.limit).min(count))
        .map(summary)
        .collect();
    Message::Loaded(request, Ok(Page { count, rows }))
}

fn fetch(action: Action) -> PageRequest {
    match action {
        Action::Fetch(r) => r,
        other => panic!("expected a fetch, got {other:?}"),
    }
}

#[test]
fn loads_only_a_window_and_follows_the_scroll() {
    let mut list = MessageList::default();
    let first = fetch(list.open_folder(FolderId(1)));
    assert_eq!(
        (first.start, first.limit),
        (0, DEFAULT_VISIBLE + 2 * MARGIN)
    );
    assert_eq!(list.update(page(first, 100_000)), Action::None);
    assert_eq!(list.loaded().1.len(), first.limit);

    // Scrolling within the window asks for nothing. (A `Viewport` can
    // only come from a laid-out scrollable; set what `Scrolled` sets.)
    list.scroll_y = 5.0 * ROW_HEIGHT;
    list.viewport_height = 600.0;
    assert_eq!(list.ensure_loaded(), Action::None);

    // Jumping to the middle of 100,000 rows loads just around it.
    list.scroll_y = 50_000.0 * ROW_HEIGHT;
    let far = fetch(list.ensure_loaded());
    assert_eq!(far.start, 50_000 - MARGIN);
    assert!(far.limit < 100);
    // Asking again while that page is in flight does not duplicate it.
    assert_eq!(list.ensure_loaded(), Action::None);
    list.update(page(far, 100_000));
    assert_eq!(list.loaded().0, far.start);
}

#[test]
fn a_page_for_a_previous_folder_is_ignored() {
    let mut list = MessageList::default();
    let old = fetch(list.open_folder(FolderId(1)));
    let new = fetch(list.open_folder(FolderId(2)));
    assert_eq!(list.update(page(old, 10)), Action::None);
    assert!(list.loaded().1.is_empty());
    list.update(page(new, 3));
    assert_eq!(list.count(), 3);
}

#[test]
fn keyboard_moves_the_selection_and_keeps_it_visible() {
    let mut list = MessageList::default();
    let first = fetch(list.open_folder(FolderId(1)));
    list.update(page(first, 50));
    list.viewport_height = 3.0 * ROW_HEIGHT;
    assert_eq!(
        list.select_next(),
        Action::Open {
            id: MessageId(1),
            scroll_to: None
        }
    );
    list.select_next();
    list.select_next();
    // The fourth row is below a three-row viewport: scroll to it.
    assert_eq!(
        list.select_next(),
        Action::Open {
            id: MessageId(4),
            scroll_to: Some(ROW_HEIGHT)
        }
    );
    list.scroll_y = ROW_HEIGHT;
    list.select_previous();
    list.select_previous();
    assert_eq!(
        list.select_previous(),
        Action::Open {
            id: MessageId(1),
            scroll_to: Some(0.0)
        }
    );
    assert_eq!(list.select_previous(), Action::None);
}

#[test]
fn clicking_opens_and_flags_update_in_place() {
    let mut list = MessageList::default();
    let first = fetch(list.open_folder(FolderId(1)));
    list.update(page(first, 5));
    assert_eq!(
        list.update(Message::Pressed(2)),
        Action::Open {
            id: MessageId(3),
            scroll_to: None
        }
    );
    list.set_flags(MessageId(3), Flags::SEEN);
    assert!(list.row(MessageId(3)).unwrap().flags.contains(Flags::SEEN));
    assert_eq!(list.selected(), Some(MessageId(3)));
}

#[test]
fn ctrl_and_shift_choose_several_and_a_drag_carries_them() {
    let mut list = MessageList::default();
    let first = fetch(list.open_folder(FolderId(1)));
    list.update(page(first, 10));
    list.update(Message::Pressed(1));
    list.release();
    list.set_modifiers(Modifiers::CTRL);
    assert_eq!(list.update(Message::Pressed(4)), Action::None, "no open");
    assert_eq!(list.selection(), vec![MessageId(2), MessageId(5)]);
    list.update(Message::Pressed(1));
    assert_eq!(list.selection(), vec![MessageId(5)], "Ctrl again unmarks");

    list.set_modifiers(Modifiers::SHIFT);
    list.update(Message::Pressed(3));
    assert_eq!(
        list.selection(),
        vec![MessageId(2), MessageId(3), MessageId(4)],
        "from the open message to here"
    );

    // Pressing one of them and leaving its row drags all three.
    list.set_modifiers(Modifiers::empty());
    assert_eq!(list.update(Message::Pressed(2)), Action::None);
    assert_eq!(list.dragged(), None, "not until the pointer moves off");
    list.update(Message::Left(2));
    assert_eq!(list.dragged().map(|d| d.len()), Some(3));
    assert_eq!(list.release(), Action::None);

    // A plain click on one of them (no drag) chooses it alone.
    list.update(Message::Pressed(3));
    assert_eq!(
        list.release(),
        Action::Open {
            id: MessageId(4),
            scroll_to: None
        }
    );
    assert_eq!(list.selection(), vec![MessageId(4)]);
    list.forget(&[MessageId(4)]);
    assert!(list.selection().is_empty());
}
