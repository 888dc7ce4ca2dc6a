//! The control plane's event log: every decision with its reason, in order.

use serde::Serialize;

/// One event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Virtual time (RFC 3339).
    pub time: String,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The controller that acted, e.g. `scheduler`.
    pub source: String,
    /// The object, as `Kind namespace/name`.
    pub object: String,
    /// Machine-readable reason, e.g. `ScheduleBindingSucceed`.
    pub reason: String,
    /// What happened.
    pub message: String,
}

/// An append-only event log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventLog {
    events: Vec<Event>,
}

impl EventLog {
    /// Appends an event.
    pub fn push(&mut self, event: Event) {
        self.events.push(event);
    }

    /// All events so far.
    pub fn all(&self) -> &[Event] {
        &self.events
    }

    /// Number of events so far (a mark for [`EventLog::since`]).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when nothing was logged.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events logged after `mark`.
    pub fn since(&self, mark: usize) -> &[Event] {
        self.events.get(mark..).unwrap_or(&[])
    }
}
