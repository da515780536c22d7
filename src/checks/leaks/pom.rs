//! pom.xml read with an XML parser (roxmltree): the project's artifactId and
//! every `<dependency>` with where it is declared (the project's
//! dependencies, dependency management, a plugin's classpath, a profile) and
//! the byte offset of each of its elements, so findings point at the line
//! that names what is wrong. Comments, CDATA and entities are XML's business,
//! not regular expressions'.

use roxmltree::{Document, Node, ParsingOptions};

/// Where a dependency is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `<dependencies>` of the project or of a profile: on the classpath.
    Dependencies,
    /// `<dependencyManagement>`: versions only, nothing is added.
    Management,
    /// A plugin's `<dependencies>`: the build's classpath, not the artifact's.
    Plugin,
}

/// One `<dependency>` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PomDependency {
    pub section: Section,
    /// The `<id>` of the profile that declares it, if any.
    pub profile: Option<String>,
    /// Byte offset of `<dependency>`.
    pub offset: usize,
    /// Child elements (`groupId`, `artifactId`, `scope`, `type`,
    /// `classifier`…): trimmed text and byte offset of the start tag.
    fields: Vec<(String, String, usize)>,
}

impl PomDependency {
    /// The trimmed text of a child element (`artifactId`).
    pub fn get(&self, tag: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(name, _, _)| name == tag)
            .map(|(_, value, _)| value.as_str())
    }

    /// Byte offset of a child element's start tag, or of `<dependency>`.
    /// Findings point at the line that names what is wrong rather than at
    /// `<dependency>`: when a block is inserted between two others, a line
    /// diff matches the new `<dependency>` line with its neighbour's, and
    /// only the lines in between count as added.
    pub fn offset_of(&self, tag: &str) -> usize {
        self.fields
            .iter()
            .find(|(name, _, _)| name == tag)
            .map_or(self.offset, |(_, _, offset)| *offset)
    }

    /// The scope, `compile` when none is written.
    pub fn scope(&self) -> &str {
        self.get("scope").unwrap_or("compile")
    }
}

/// A parsed pom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pom {
    /// The project's own `<artifactId>` (not the parent's).
    pub artifact_id: Option<String>,
    pub dependencies: Vec<PomDependency>,
}

/// A profile for tests or development (`<id>integration-tests</id>`,
/// `it`, `dev`): its dependencies are not what ships.
pub fn is_non_production_profile(id: &str) -> bool {
    id.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            matches!(
                word,
                "test"
                    | "tests"
                    | "testing"
                    | "it"
                    | "integration"
                    | "e2e"
                    | "dev"
                    | "development"
                    | "local"
                    | "ci"
                    | "coverage"
                    | "jacoco"
                    | "pitest"
            )
        })
}

/// Why a pom could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PomError {
    /// Byte offset of the problem in the text.
    pub offset: usize,
    pub message: String,
}

/// The text inside an element: its text and CDATA, comments left out.
fn text_of(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect::<String>()
        .trim()
        .to_owned()
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

/// A `<dependency>` element's children, offsets shifted by `base`.
fn fields_of(node: Node<'_, '_>, base: usize) -> Vec<(String, String, usize)> {
    node.children()
        .filter(Node::is_element)
        .map(|c| (c.tag_name().name().to_owned(), text_of(c), base + c.range().start))
        .collect()
}

/// Whether `<tag>` is open at the end of `before` (its last opening comes
/// after its last closing).
fn open_before(before: &str, tag: &str) -> bool {
    let opened = before
        .rfind(&format!("<{tag}>"))
        .or_else(|| before.rfind(&format!("<{tag} ")));
    opened > before.rfind(&format!("</{tag}>"))
}

/// The dependencies of a pom that does not parse as a whole: the new side
/// of a pull request's patch (lines outside the hunks are empty) or a broken
/// file, read as far as it can be. Each `<dependency>` element that parses on
/// its own counts; its section is judged from the tags open before it, and
/// its profile is not known.
pub fn parse_fragments(text: &str) -> Pom {
    const OPEN: &str = "<dependency>";
    const CLOSE: &str = "</dependency>";
    let mut dependencies = Vec::new();
    let mut from = 0;
    while let Some(start) = text.get(from..).and_then(|rest| rest.find(OPEN)).map(|i| from + i) {
        let Some(end) = text[start..].find(CLOSE).map(|i| start + i + CLOSE.len()) else {
            break;
        };
        from = end;
        let before = &text[..start];
        if open_before(before, "configuration") || before.rfind("<!--") > before.rfind("-->") {
            continue;
        }
        let Ok(fragment) = Document::parse(&text[start..end]) else {
            continue;
        };
        let section = if open_before(before, "plugin") {
            Section::Plugin
        } else if open_before(before, "dependencyManagement") {
            Section::Management
        } else {
            Section::Dependencies
        };
        dependencies.push(PomDependency {
            section,
            profile: None,
            offset: start,
            fields: fields_of(fragment.root_element(), start),
        });
    }
    Pom {
        artifact_id: None,
        dependencies,
    }
}

/// Byte offset of a line and 1-based column (in characters).
fn offset_of_position(text: &str, row: u32, col: u32) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(row.saturating_sub(1) as usize)
        .map(str::len)
        .sum();
    let line = text.get(line_start..).unwrap_or("");
    let within = line
        .char_indices()
        .nth(col.saturating_sub(1) as usize)
        .map_or(line.find('\n').unwrap_or(line.len()), |(i, _)| i);
    (line_start + within).min(text.len())
}

/// Parses a pom. Internal DTD entities are expanded; the parser's limits
/// keep entity expansion bounded.
pub fn parse(text: &str) -> Result<Pom, PomError> {
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    let document = Document::parse_with_options(text, options).map_err(|err| {
        let pos = err.pos();
        PomError {
            offset: offset_of_position(text, pos.row, pos.col),
            message: err.to_string(),
        }
    })?;
    let root = document.root_element();
    if root.tag_name().name() != "project" {
        return Err(PomError {
            offset: root.range().start,
            message: format!("the root element is <{}>, not <project>", root.tag_name().name()),
        });
    }
    let artifact_id = child(root, "artifactId").map(text_of);
    let mut dependencies = Vec::new();
    for node in root.descendants() {
        if !(node.is_element() && node.tag_name().name() == "dependency") {
            continue;
        }
        let Some(parent) = node.parent_element() else {
            continue;
        };
        if parent.tag_name().name() != "dependencies" {
            continue;
        }
        let ancestors: Vec<Node<'_, '_>> = node.ancestors().filter(Node::is_element).collect();
        let named = |name: &str| ancestors.iter().any(|a| a.tag_name().name() == name);
        // Plugin configuration can hold anything; only real declarations count.
        if named("configuration") {
            continue;
        }
        let section = if named("plugin") {
            Section::Plugin
        } else if named("dependencyManagement") {
            Section::Management
        } else {
            Section::Dependencies
        };
        let profile = ancestors
            .iter()
            .find(|a| a.tag_name().name() == "profile")
            .and_then(|p| child(*p, "id"))
            .map(text_of);
        dependencies.push(PomDependency {
            section,
            profile,
            offset: node.range().start,
            fields: fields_of(node, 0),
        });
    }
    Ok(Pom {
        artifact_id,
        dependencies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE project [ <!ENTITY junit-group "org.junit.jupiter"> ]>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><artifactId>parent-pom</artifactId></parent>
  <artifactId>shop</artifactId>
  <dependencyManagement>
    <dependencies>
      <dependency><groupId>org.mockito</groupId><artifactId>mockito-bom</artifactId><type>pom</type></dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <!-- <dependency><groupId>junit</groupId><artifactId>junit</artifactId></dependency> -->
    <dependency>
      <groupId>&junit-group;</groupId>
      <artifactId><![CDATA[junit-jupiter]]></artifactId>
      <scope> test </scope>
    </dependency>
  </dependencies>
  <build><plugins><plugin>
    <artifactId>maven-surefire-plugin</artifactId>
    <dependencies><dependency><groupId>org.junit.platform</groupId><artifactId>junit-platform-launcher</artifactId></dependency></dependencies>
    <configuration><dependencies><dependency><artifactId>ignored</artifactId></dependency></dependencies></configuration>
  </plugin></plugins></build>
  <profiles><profile><id>it</id><dependencies>
    <dependency><groupId>org.testcontainers</groupId><artifactId>postgresql</artifactId></dependency>
  </dependencies></profile></profiles>
</project>
"#;

    #[test]
    fn sections_profiles_entities_cdata_and_comments() {
        let pom = parse(POM).expect("parses");
        assert_eq!(pom.artifact_id.as_deref(), Some("shop"));
        let summary: Vec<(Section, Option<&str>, Option<&str>, &str)> = pom
            .dependencies
            .iter()
            .map(|d| (d.section, d.profile.as_deref(), d.get("artifactId"), d.scope()))
            .collect();
        assert_eq!(
            summary,
            [
                (Section::Management, None, Some("mockito-bom"), "compile"),
                (Section::Dependencies, None, Some("junit-jupiter"), "test"),
                (Section::Plugin, None, Some("junit-platform-launcher"), "compile"),
                (Section::Dependencies, Some("it"), Some("postgresql"), "compile"),
            ]
        );
        assert_eq!(pom.dependencies[1].get("groupId"), Some("org.junit.jupiter"));
        let at = pom.dependencies[1].offset_of("artifactId");
        assert!(POM[at..].starts_with("<artifactId><![CDATA[junit-jupiter"));
        assert!(POM[pom.dependencies[1].offset..].starts_with("<dependency>"));
    }

    #[test]
    fn a_patch_reconstruction_is_read_by_fragments() {
        // The new side of a patch: lines outside the hunk are empty.
        let partial = "\n\n\n\n    <dependency>\n      <groupId>org.mockito</groupId>\n      <artifactId>mockito-core</artifactId>\n    </dependency>\n\n\n";
        assert!(parse(partial).is_err());
        let pom = parse_fragments(partial);
        assert_eq!(pom.dependencies.len(), 1);
        assert_eq!(pom.dependencies[0].section, Section::Dependencies);
        assert!(partial[pom.dependencies[0].offset_of("artifactId")..].starts_with("<artifactId>mockito-core"));
        let managed = "<dependencyManagement>\n<dependencies>\n<dependency><artifactId>x</artifactId></dependency>";
        assert_eq!(parse_fragments(managed).dependencies[0].section, Section::Management);
        let plugin = "<plugin>\n<dependencies>\n<dependency><artifactId>x</artifactId></dependency>";
        assert_eq!(parse_fragments(plugin).dependencies[0].section, Section::Plugin);
        let commented = "<!-- <dependency><artifactId>x</artifactId></dependency> -->";
        assert!(parse_fragments(commented).dependencies.is_empty());
    }

    #[test]
    fn malformed_poms_say_where() {
        let broken = "<project>\n  <dependencies>\n    <dependency>\n  </dependencies>\n</project>\n";
        let err = parse(broken).expect_err("mismatched tags");
        let line = broken[..err.offset].matches('\n').count() + 1;
        assert_eq!(line, 4, "{err:?}");
        assert!(err.message.contains("dependency"), "{}", err.message);
        assert!(parse("<settings/>").is_err());
        // Read as far as it can be: the well-formed dependencies still count.
        let pom = parse_fragments(
            broken
                .replace(
                    "    <dependency>\n",
                    "    <dependency><artifactId>a</artifactId></dependency>\n",
                )
                .as_str(),
        );
        assert_eq!(pom.dependencies.len(), 1);
        assert_eq!(pom.dependencies[0].get("artifactId"), Some("a"));
        assert!(parse("").is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn pom_text() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                Just("<project>".to_owned()),
                Just("</project>".to_owned()),
                Just("<dependencies><dependency>".to_owned()),
                Just("<artifactId>junit</artifactId>".to_owned()),
                Just("</dependency></dependencies>".to_owned()),
                Just("<!-- c -->".to_owned()),
                Just("<![CDATA[x]]>".to_owned()),
                Just("&amp;&bogus;".to_owned()),
                Just("<!DOCTYPE project [<!ENTITY a \"&b;\"><!ENTITY b \"&a;\">]>".to_owned()),
                Just("é🦀\r\n".to_owned()),
                "\\PC{0,12}",
            ];
            prop::collection::vec(piece, 0..16).prop_map(|parts| parts.concat())
        }

        proptest! {
            #[test]
            fn parsing_never_panics_and_offsets_stay_inside(text in pom_text()) {
                for dependency in parse_fragments(&text).dependencies {
                    prop_assert!(text.is_char_boundary(dependency.offset_of("artifactId")));
                }
                match parse(&text) {
                    Ok(pom) => {
                        for dependency in &pom.dependencies {
                            prop_assert!(dependency.offset < text.len());
                            prop_assert!(text.is_char_boundary(dependency.offset_of("artifactId")));
                        }
                    }
                    Err(err) => {
                        prop_assert!(err.offset <= text.len());
                        prop_assert!(text.is_char_boundary(err.offset));
                    }
                }
            }
        }
    }
}
