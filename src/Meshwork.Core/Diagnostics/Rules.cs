namespace Meshwork.Diagnostics;

/// <summary>
/// Every rule <c>mesh lint</c> can report. Ids are stable; docs/reference/lint-rules.md lists them all
/// (a test keeps the two in step).
/// </summary>
public static class Rules
{
    // Files and YAML.
    public static readonly DiagnosticRule FileUnreadable = new("file-unreadable", Severity.Error, "file",
        "A file cannot be read", "Check that the path is a readable file, not a folder, and that you have permission to read it.");
    public static readonly DiagnosticRule FileTooLarge = new("file-too-large", Severity.Error, "file",
        "A file is larger than Meshwork reads", "Specification files are small; keep data in data/ and reference it from a contract's servers block.");
    public static readonly DiagnosticRule FileNotText = new("file-not-text", Severity.Error, "file",
        "A file is not UTF-8 text", "Save the file as UTF-8 text; binary data belongs in data/.");
    public static readonly DiagnosticRule YamlSyntax = new("yaml-syntax", Severity.Error, "yaml",
        "A file is not well-formed YAML", "Fix the YAML syntax at the position given (indentation, quotes, colons).");
    public static readonly DiagnosticRule YamlDuplicateKey = new("yaml-duplicate-key", Severity.Error, "yaml",
        "A mapping has the same key twice", "Remove or rename one of the two keys; YAML keys must be unique.");
    public static readonly DiagnosticRule YamlTooDeep = new("yaml-too-deep", Severity.Error, "yaml",
        "A document nests deeper than Meshwork reads", "Flatten the document; no specification needs this much nesting.");
    public static readonly DiagnosticRule YamlTooLarge = new("yaml-too-large", Severity.Error, "yaml",
        "A document expands to too many nodes (anchors and aliases included)", "Reduce the use of aliases; the document expands beyond what a specification needs.");
    public static readonly DiagnosticRule YamlUnsupported = new("yaml-unsupported", Severity.Error, "yaml",
        "A YAML construct Meshwork cannot map to JSON", "Use scalar mapping keys and one document per file.");
    public static readonly DiagnosticRule EmptyDocument = new("empty-document", Severity.Error, "yaml",
        "A file holds no document", "Write the document, or delete the file.");

    // Schemas of the standards and of Meshwork's own files.
    public static readonly DiagnosticRule OdcsSchema = new("odcs-schema", Severity.Error, "schema",
        "A contract does not satisfy the official ODCS v3.1.0 JSON Schema", "See https://bitol-io.github.io/open-data-contract-standard/ for the field's definition.");
    public static readonly DiagnosticRule OdpsSchema = new("odps-schema", Severity.Error, "schema",
        "A product does not satisfy the official ODPS v1.0.0 JSON Schema", "See https://bitol-io.github.io/open-data-product-standard/ for the field's definition.");
    public static readonly DiagnosticRule MeshSchema = new("mesh-schema", Severity.Error, "schema",
        "mesh.yaml does not satisfy the Meshwork mesh schema", "See docs/reference/formats.md#meshyaml.");
    public static readonly DiagnosticRule DomainSchema = new("domain-schema", Severity.Error, "schema",
        "A domain.yaml does not satisfy the Meshwork domain schema", "See docs/reference/formats.md#domainyaml.");
    public static readonly DiagnosticRule PeopleSchema = new("people-schema", Severity.Error, "schema",
        "people.yaml does not satisfy the Meshwork people schema", "See docs/reference/formats.md#peopleyaml.");
    public static readonly DiagnosticRule PolicySchema = new("policy-schema", Severity.Error, "schema",
        "A policy file does not match the policy schema", "See docs/reference/formats.md#policies.");
    public static readonly DiagnosticRule PolicyExpression = new("policy-expression", Severity.Error, "policy",
        "A policy's CEL expression does not parse or type-check", "Use the attributes people.yaml declares and the resource and request fields (docs/reference/formats.md#policies); compare values of the same type.");
    public static readonly DiagnosticRule PolicyTarget = new("policy-target", Severity.Error, "policy",
        "A policy targets something the mesh does not have", "Name existing domains, products (domain.product) and datasets.");
    public static readonly DiagnosticRule PolicyNotApplicable = new("policy-not-applicable", Severity.Error, "policy",
        "A policy cannot be applied to a product's dataset", "Give the dataset what the policy needs (the column it names, of the type it compares), or narrow the policy's targets. Until then apply refuses that product only, and nobody the policy targets reads the dataset.");
    public static readonly DiagnosticRule InvalidPurposes = new("invalid-purposes", Severity.Error, "policy",
        "A product's meshwork.allowedPurposes names no purpose", "List the purposes the product's data may be used for: value: [billing, support], or one comma-separated string. Without the property any purpose may be asked for.");
    public static readonly DiagnosticRule ConsentDataset = new("consent-dataset", Severity.Error, "policy",
        "mesh.yaml's privacy.consent names no usable dataset of objections", "Name a dataset a product publishes (domain.product.object_vN) with a column tagged subject-key and a string column 'purpose': one row per purpose a subject objected to.");
    public static readonly DiagnosticRule PolicyViolation = new("policy-violation", Severity.Error, "policy",
        "A product violates a rule policy", "Change the product to satisfy the rule; a rule in its grace period only warns until its date.");
    public static readonly DiagnosticRule OdcsVersion = new("odcs-version", Severity.Error, "schema",
        "A contract declares an ODCS version Meshwork does not read", "Use apiVersion v3.1.0 (v3.0.x is read and migrated).");
    public static readonly DiagnosticRule OdcsMigrated = new("odcs-migrated", Severity.Warning, "schema",
        "An ODCS v3.0.x construct was migrated to v3.1.0", "Update the file to the v3.1.0 form shown in the message; the old form is deprecated.");

    // Repository layout.
    public static readonly DiagnosticRule MissingFile = new("missing-file", Severity.Error, "layout",
        "A file the repository layout requires is missing", "Create it; `mesh init` shows the expected layout.");
    public static readonly DiagnosticRule StrayFile = new("stray-file", Severity.Warning, "layout",
        "A file is not where the repository layout expects it", "Move it into a product folder (domains/<domain>/<product>/) or remove it.");
    public static readonly DiagnosticRule InvalidName = new("invalid-name", Severity.Error, "naming",
        "A name does not match [a-z][a-z0-9_]*", "Use lowercase letters, digits and underscores, starting with a letter: names become SQL identifiers and URL segments.");

    // Identity and references.
    public static readonly DiagnosticRule DuplicateId = new("duplicate-id", Severity.Error, "reference",
        "Two products, contracts, domains, teams or principals share an id", "Give each one a unique id.");
    public static readonly DiagnosticRule DuplicatePort = new("duplicate-port", Severity.Error, "reference",
        "A product declares two ports with the same name and version", "Rename one port or give it another version.");
    public static readonly DiagnosticRule DuplicateColumn = new("duplicate-column", Severity.Error, "contract",
        "A schema object declares two properties (columns) or two objects with the same name", "Rename or remove one of them.");
    public static readonly DiagnosticRule UnknownContract = new("unknown-contract", Severity.Error, "reference",
        "A port references a contract id that no contract in the mesh has, or an input port one that no product publishes", "Fix the contractId, or add the contract file (*.odcs.yaml) beside the product.");
    public static readonly DiagnosticRule MissingContract = new("missing-contract", Severity.Error, "reference",
        "An output port has no contractId", "Every output port publishes a contract: add contractId.");
    public static readonly DiagnosticRule UnknownDomain = new("unknown-domain", Severity.Error, "reference",
        "A product or team names a domain that has no domains/<domain>/domain.yaml", "Create the domain or fix the name.");
    public static readonly DiagnosticRule DomainMismatch = new("domain-mismatch", Severity.Error, "reference",
        "A product's or domain's declared name or domain disagrees with the folder it is in", "Set the name or domain to the folder's name, or move the file.");
    public static readonly DiagnosticRule UnknownTeam = new("unknown-team", Severity.Error, "reference",
        "An owner team is not declared in people.yaml", "Add the team to people.yaml, or fix the name.");
    public static readonly DiagnosticRule MissingOwner = new("missing-owner", Severity.Warning, "reference",
        "A product names no owner team", "Add team.name (an id of people.yaml) to the product; the domain's owner is used until then.");
    public static readonly DiagnosticRule UnknownPrincipal = new("unknown-principal", Severity.Warning, "reference",
        "A product's team member is not a principal of people.yaml", "Add the principal, or fix the name.");
    public static readonly DiagnosticRule UnknownAttribute = new("unknown-attribute", Severity.Error, "people",
        "A principal has an attribute people.yaml does not declare, or a value of the wrong type", "Declare the attribute under attributes: in people.yaml with its type, or fix the value.");
    public static readonly DiagnosticRule UnusedContract = new("unused-contract", Severity.Warning, "reference",
        "A contract is not referenced by any port of its product", "Reference it from an input or output port, or delete it.");
    public static readonly DiagnosticRule ContractOwnedTwice = new("contract-owned-twice", Severity.Error, "reference",
        "Output ports of two products publish the same contract", "A contract belongs to one product; copy it under a new id for the other.");

    // Ports, versions and datasets.
    public static readonly DiagnosticRule DuplicateDataset = new("duplicate-dataset", Severity.Error, "port",
        "Two output ports publish the same dataset address", "Rename a schema object or change a port's major version.");
    public static readonly DiagnosticRule VersionNotSemver = new("version-not-semver", Severity.Error, "port",
        "An output port or contract version is not a semantic version", "Write MAJOR.MINOR.PATCH, e.g. 1.0.0.");
    public static readonly DiagnosticRule VersionMismatch = new("version-mismatch", Severity.Error, "port",
        "A contract's major version disagrees with the port that publishes it", "Give the contract the port's major version: a breaking change raises both.");
    public static readonly DiagnosticRule EmptySchema = new("empty-schema", Severity.Error, "contract",
        "A published contract has no schema object with properties", "Describe at least one schema object and its properties.");
    public static readonly DiagnosticRule LineageCycle = new("lineage-cycle", Severity.Error, "lineage",
        "Products consume each other in a cycle", "Break the cycle: a product cannot depend, directly or not, on its own output.");
    public static readonly DiagnosticRule SelfInput = new("self-input", Severity.Error, "lineage",
        "A product's input port consumes one of its own output contracts", "Consume an upstream product's contract or a source contract.");
    public static readonly DiagnosticRule DeprecatedInput = new("deprecated-input", Severity.Warning, "lineage",
        "An input port consumes a deprecated or retired contract", "Move to the contract's successor before it is retired.");

    // Contracts' contents.
    public static readonly DiagnosticRule UnknownColumn = new("unknown-column", Severity.Error, "contract",
        "A quality rule, relationship or meshwork.* property names a column that does not exist", "Fix the column name, or add the property to the schema object.");
    public static readonly DiagnosticRule RetentionColumn = new("retention-column", Severity.Warning, "contract",
        "A retention's element names no date or timestamp column, so the rows' age cannot be measured", "Name a date or timestamp column (object.column), or drop element to apply the retention to whole snapshots.");
    public static readonly DiagnosticRule UnknownClassification = new("unknown-classification", Severity.Error, "contract",
        "A classification is not one the mesh allows", "Use one of the classifications in mesh.yaml (default: public, internal, confidential, restricted).");
    public static readonly DiagnosticRule MissingServer = new("missing-server", Severity.Error, "source",
        "A source contract (consumed, published by no product) has no servers block Meshwork can read", "Add a servers entry of type local (path, format) or postgres.");
    public static readonly DiagnosticRule SourcePathMissing = new("source-path-missing", Severity.Error, "source",
        "A local server's path matches no file", "Fix the path; it is relative to the contract file.");
    public static readonly DiagnosticRule UnsupportedFormat = new("unsupported-format", Severity.Error, "source",
        "A local server's format is not one Meshwork reads", "Use csv, parquet or json.");
    public static readonly DiagnosticRule PrimaryKeyNullable = new("primary-key-nullable", Severity.Warning, "contract",
        "A primary key column is not marked required", "Add required: true; primary key columns cannot be null.");
    public static readonly DiagnosticRule UnknownType = new("unknown-type", Severity.Warning, "contract",
        "A property has no logicalType", "Add logicalType so the platform can map it to an engine type.");

    // Links people follow from the catalog.
    public static readonly DiagnosticRule UnsafeLink = new("unsafe-link", Severity.Error, "link",
        "A support link is not an absolute http, https or mailto URL", "Write https://host/... or mailto:address, with no spaces or control characters (encode a space as %20): the catalog shows these as links people click, and other schemes (javascript:, data:, vbscript:) can run script.");

    // Transforms and engines.
    public static readonly DiagnosticRule MissingTransform = new("missing-transform", Severity.Error, "transform",
        "A product's output cannot be derived: no transform file and not exactly one input", "Add transform.sql (one output port) or <port>.sql beside product.odps.yaml.");
    public static readonly DiagnosticRule UnknownEngine = new("unknown-engine", Severity.Error, "engine",
        "An engine is not declared, or its declaration is incomplete", "Name duckdb (embedded) or an engine mesh.yaml declares under engines: with a name, a type (duckdb, postgres) and, for postgres, a connection.");
    public static readonly DiagnosticRule InvalidSchedule = new("invalid-schedule", Severity.Error, "engine",
        "A product's meshwork.schedule is not a cron expression", "Write 5 fields (minute hour day month weekday) or 6 with seconds first, in UTC: \"0 3 * * *\" runs at 03:00 daily.");

    /// <summary>All rules, in catalogue order.</summary>
    public static IReadOnlyList<DiagnosticRule> All { get; } =
        [.. typeof(Rules).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticRule))
            .Select(f => (DiagnosticRule)f.GetValue(null)!)];
}
