//! Writing results as YAML or JSON.

use std::io::Write;

use clap::ValueEnum;
use serde::Serialize;
use serde_json::Value;

/// Output format of every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    /// YAML (the default).
    #[default]
    Yaml,
    /// JSON, indented.
    Json,
}

/// Why output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The value could not be serialized.
    #[error("cannot serialize the output: {0}")]
    Serialize(String),
    /// Writing to the output stream failed.
    #[error("cannot write the output: {0}")]
    Write(#[from] std::io::Error),
}

/// Writes one value in `format`, ending with a newline.
pub fn write_value<T: Serialize + ?Sized>(
    out: &mut dyn Write,
    format: OutputFormat,
    value: &T,
) -> Result<(), OutputError> {
    let text = match format {
        OutputFormat::Json => serde_json::to_string_pretty(value)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| OutputError::Serialize(e.to_string()))?,
        OutputFormat::Yaml => super::yaml::to_yaml(
            &serde_json::to_value(value).map_err(|e| OutputError::Serialize(e.to_string()))?,
        ),
    };
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// Writes several values: YAML documents separated by `---`, or one JSON value per value.
pub fn write_documents(
    out: &mut dyn Write,
    format: OutputFormat,
    values: &[Value],
) -> Result<(), OutputError> {
    for (index, value) in values.iter().enumerate() {
        if format == OutputFormat::Yaml && index > 0 {
            out.write_all(b"---\n")?;
        }
        write_value(out, format, value)?;
    }
    Ok(())
}

/// A `v1` `List` holding `items`, the shape Kubernetes tools print several objects in.
pub fn list(items: Vec<Value>) -> Value {
    serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let value = serde_json::json!({"kind": "List", "items": [{"a": 1}]});
        let mut yaml = Vec::new();
        write_value(&mut yaml, OutputFormat::Yaml, &value).unwrap();
        assert_eq!(
            String::from_utf8(yaml).unwrap(),
            "kind: List\nitems:\n- a: 1\n"
        );
        let mut json = Vec::new();
        write_value(&mut json, OutputFormat::Json, &value).unwrap();
        assert_eq!(
            String::from_utf8(json).unwrap(),
            "{\n  \"kind\": \"List\",\n  \"items\": [\n    {\n      \"a\": 1\n    }\n  ]\n}\n"
        );
        let mut docs = Vec::new();
        write_documents(&mut docs, OutputFormat::Yaml, &[value.clone(), value]).unwrap();
        assert_eq!(String::from_utf8(docs).unwrap().matches("---\n").count(), 1);
    }
}
