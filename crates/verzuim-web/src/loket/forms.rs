//! Form fields and their messages, the way the loket's pages draw them (NL Design System
//! conventions): a label above every input, an optional hint below the label, the message of
//! a refused value between hint and input, and a summary at the top of the form that links to
//! each refused field.

use verzuim_domain::ValidationError;
use verzuim_loket::FieldErrors;

/// One option of a select or a radio group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Value sent.
    pub value: String,
    /// Text shown.
    pub label: String,
    /// Currently chosen.
    pub selected: bool,
}

impl Choice {
    /// An option, chosen when `value == current`.
    pub fn new(value: &str, label: &str, current: &str) -> Self {
        Self {
            value: value.to_owned(),
            label: label.to_owned(),
            selected: value.eq_ignore_ascii_case(current.trim()),
        }
    }
}

/// "ja"/"nee" as radio options.
pub fn yes_no(current: &str) -> Vec<Choice> {
    vec![
        Choice::new("ja", "Ja", current),
        Choice::new("nee", "Nee", current),
    ]
}

/// One form field as the shared field template (`loket/_field.html`) draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldView {
    /// Form field name, also the element's id (the error summary links to it).
    pub name: String,
    /// Label.
    pub label: String,
    /// Help text below the label.
    pub hint: String,
    /// `text`, `password`, `email`, `tel`, `search`, `textarea`, `select` or `radio`.
    pub kind: String,
    /// Current value.
    pub value: String,
    /// Options of a select or radio group.
    pub options: Vec<Choice>,
    /// Why the value was refused.
    pub error: Option<String>,
    /// Whether the field is required (others are marked "niet verplicht").
    pub required: bool,
    /// Whether an optional field says so ("niet verplicht"); filters do not.
    pub optional_note: bool,
    /// `autocomplete` attribute.
    pub autocomplete: String,
    /// `inputmode` attribute.
    pub inputmode: String,
    /// Extra class of the field's wrapper (`narrow`).
    pub class: String,
    /// Extra class of the input (`short`, `code`, `mono`).
    pub input_class: String,
    /// Rows of a text area.
    pub rows: u8,
}

impl FieldView {
    /// A required text input.
    pub fn text(name: &str, label: &str, value: &str) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            hint: String::new(),
            kind: "text".to_owned(),
            value: value.to_owned(),
            options: Vec::new(),
            error: None,
            required: true,
            optional_note: true,
            autocomplete: String::new(),
            inputmode: String::new(),
            class: String::new(),
            input_class: String::new(),
            rows: 4,
        }
    }

    /// A required date as text (`dd-mm-jjjj`; `jjjj-mm-dd` is accepted too).
    pub fn date(name: &str, label: &str, value: &str) -> Self {
        Self::text(name, label, value)
            .hint("Dag-maand-jaar, bijvoorbeeld 05-10-2026.")
            .input_class("short")
            .inputmode("numeric")
    }

    /// A required text area.
    pub fn textarea(name: &str, label: &str, value: &str) -> Self {
        Self::text(name, label, value).kind("textarea")
    }

    /// A required select.
    pub fn select(name: &str, label: &str, options: Vec<Choice>) -> Self {
        let value = options
            .iter()
            .find(|o| o.selected)
            .map(|o| o.value.clone())
            .unwrap_or_default();
        Self {
            options,
            ..Self::text(name, label, &value).kind("select")
        }
    }

    /// A required radio group.
    pub fn radio(name: &str, label: &str, options: Vec<Choice>) -> Self {
        Self {
            kind: "radio".to_owned(),
            ..Self::select(name, label, options)
        }
    }

    /// Sets the kind (`email`, `tel`, `password`, ...).
    pub fn kind(mut self, kind: &str) -> Self {
        self.kind = kind.to_owned();
        self
    }

    /// Sets the hint.
    pub fn hint(mut self, hint: &str) -> Self {
        self.hint = hint.to_owned();
        self
    }

    /// Marks the field as not required.
    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    /// An optional field without the "niet verplicht" note (search filters).
    pub fn filter(mut self) -> Self {
        self.required = false;
        self.optional_note = false;
        self
    }

    /// Sets the `autocomplete` attribute.
    pub fn autocomplete(mut self, value: &str) -> Self {
        self.autocomplete = value.to_owned();
        self
    }

    /// Sets the `inputmode` attribute.
    pub fn inputmode(mut self, value: &str) -> Self {
        self.inputmode = value.to_owned();
        self
    }

    /// Sets the wrapper's extra class.
    pub fn class(mut self, class: &str) -> Self {
        self.class = class.to_owned();
        self
    }

    /// Sets the input's extra class.
    pub fn input_class(mut self, class: &str) -> Self {
        self.input_class = class.to_owned();
        self
    }

    /// Sets the rows of a text area.
    pub fn rows(mut self, rows: u8) -> Self {
        self.rows = rows;
        self
    }

    /// Takes the field's message from `errors`, if it has one.
    pub fn with_errors(mut self, errors: &ErrorList) -> Self {
        self.error = errors.get(&self.name).map(str::to_owned);
        self
    }

    /// The ids the input is described by (hint, message), space separated.
    pub fn described(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

/// One refused field: where it is, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorItem {
    /// The field's name (and element id).
    pub field: String,
    /// The message beside the field: "Dit veld is verplicht."
    pub message: String,
    /// The line in the summary, with the field's label: "Voornamen: dit veld is verplicht."
    pub summary: String,
}

/// The refused fields of one form, in the order of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorList {
    /// The refusals.
    pub list: Vec<ErrorItem>,
}

/// "dit veld is verplicht" → "Dit veld is verplicht."
pub fn sentence(reason: &str) -> String {
    let reason = reason.trim();
    let mut chars = reason.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

impl ErrorList {
    /// No refusals.
    pub fn new() -> Self {
        Self::default()
    }

    /// The refusals of `errors`; `labels` names each field for the summary (`(field, label)`),
    /// and orders the summary like the form.
    pub fn from_errors(errors: &[ValidationError], labels: &[(&str, &str)]) -> Self {
        let mut list: Vec<(usize, ErrorItem)> = Vec::new();
        for e in errors {
            if list.iter().any(|(_, i)| i.field == e.field) {
                continue;
            }
            // Validators quote the value they refuse; for an empty one ("'' is geen …") the
            // person only needs to know that the field is required.
            let e = &if e.reason.starts_with("''") {
                ValidationError::new(e.field.clone(), "dit veld is verplicht")
            } else {
                e.clone()
            };
            let position = labels
                .iter()
                .position(|(f, _)| *f == e.field)
                .unwrap_or(labels.len());
            let summary = match labels.get(position) {
                Some((_, label)) => format!("{label}: {}", e.reason.trim().trim_end_matches('.')),
                None => e.reason.clone(),
            };
            list.push((
                position,
                ErrorItem {
                    field: e.field.clone(),
                    message: sentence(&e.reason),
                    summary: sentence(&summary),
                },
            ));
        }
        list.sort_by_key(|(p, _)| *p);
        Self {
            list: list.into_iter().map(|(_, i)| i).collect(),
        }
    }

    /// From the app layer's field errors.
    pub fn from_field_errors(errors: &FieldErrors, labels: &[(&str, &str)]) -> Self {
        Self::from_errors(&errors.0, labels)
    }

    /// One refusal.
    pub fn single(field: &str, reason: &str, labels: &[(&str, &str)]) -> Self {
        Self::from_errors(&[ValidationError::new(field, reason)], labels)
    }

    /// The message for `field`, if refused.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.list
            .iter()
            .find(|i| i.field == field)
            .map(|i| i.message.as_str())
    }

    /// Whether nothing was refused.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many fields were refused.
    pub fn len(&self) -> usize {
        self.list.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_become_sentences_and_the_summary_names_the_field() {
        let errors = vec![
            ValidationError::new("surname", "dit veld is verplicht"),
            ValidationError::new("first_names", "dit veld is verplicht"),
            ValidationError::new("reporter", "alleen contactpersonen kunnen melden"),
        ];
        let list = ErrorList::from_errors(
            &errors,
            &[("first_names", "Voornamen"), ("surname", "Achternaam")],
        );
        let fields: Vec<_> = list.list.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["first_names", "surname", "reporter"]);
        assert_eq!(list.get("surname"), Some("Dit veld is verplicht."));
        assert_eq!(list.list[0].summary, "Voornamen: dit veld is verplicht.");
        assert_eq!(
            list.list[2].summary,
            "Alleen contactpersonen kunnen melden."
        );
    }

    #[test]
    fn a_refused_empty_value_reads_as_required() {
        let errors = vec![ValidationError::new(
            "kind",
            "'' is geen geldige waarde; kies uit V3, LRV",
        )];
        let list = ErrorList::from_errors(&errors, &[("kind", "Soort verzuim")]);
        assert_eq!(list.get("kind"), Some("Dit veld is verplicht."));
        assert_eq!(
            list.list[0].summary,
            "Soort verzuim: dit veld is verplicht."
        );
    }

    #[test]
    fn a_field_is_described_by_its_hint_and_its_message() {
        let errors = ErrorList::single("code", "de code klopt niet", &[]);
        let f = FieldView::text("code", "Code", "")
            .hint("Zes cijfers.")
            .with_errors(&errors);
        assert_eq!(f.described(), "code-hint code-error");
        assert_eq!(FieldView::text("x", "X", "").described(), "");
    }
}
