using System.Text.Json;
using Json.Schema;
using Meshwork.Diagnostics;
using Meshwork.Documents;

namespace Meshwork.Schemas;

/// <summary>
/// A JSON Schema embedded in Meshwork (the official ODCS and ODPS schemas, and Meshwork's own formats),
/// built once and turned into diagnostics at the YAML positions when a document fails it.
/// </summary>
public sealed class DocumentSchema
{
    // Most documents are valid: a flag evaluation answers that cheaply; the detailed (hierarchical)
    // evaluation runs only for a document that fails, to explain why.
    private static readonly EvaluationOptions FlagOptions = new() { OutputFormat = OutputFormat.Flag };
    private static readonly EvaluationOptions DetailedOptions = new() { OutputFormat = OutputFormat.Hierarchical };

    // Built on first use: linting one contract should not build the other schemas.
    private static readonly Lazy<DocumentSchema> LazyOdcs = new(() => new("odcs-json-schema-v3.1.0.json", Rules.OdcsSchema));
    private static readonly Lazy<DocumentSchema> LazyOdps = new(() => new("odps-json-schema-v1.0.0.json", Rules.OdpsSchema));
    private static readonly Lazy<DocumentSchema> LazyMesh = new(() => new("mesh.schema.json", Rules.MeshSchema));
    private static readonly Lazy<DocumentSchema> LazyDomain = new(() => new("domain.schema.json", Rules.DomainSchema));
    private static readonly Lazy<DocumentSchema> LazyPeople = new(() => new("people.schema.json", Rules.PeopleSchema));
    private static readonly Lazy<DocumentSchema> LazyPolicy = new(() => new("policy.schema.json", Rules.PolicySchema));

    private readonly JsonSchema _schema;

    private DocumentSchema(string resource, DiagnosticRule rule)
    {
        Resource = resource;
        Rule = rule;
        using var stream = typeof(DocumentSchema).Assembly.GetManifestResourceStream("Meshwork.Schemas." + resource)
            ?? throw new InvalidOperationException($"Embedded schema '{resource}' is missing from the build.");
        using var reader = new StreamReader(stream);
        Text = reader.ReadToEnd();
        // Each schema gets its own registry: the official schemas share no $ids with ours, and the global
        // registry must not make one schema's build depend on another's.
        _schema = JsonSchema.FromText(Text, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
    }

    /// <summary>The official ODCS v3.1.0 schema (validates every ODCS v3.x document).</summary>
    public static DocumentSchema Odcs => LazyOdcs.Value;

    /// <summary>The official ODPS v1.0.0 schema.</summary>
    public static DocumentSchema Odps => LazyOdps.Value;

    public static DocumentSchema Mesh => LazyMesh.Value;

    public static DocumentSchema Domain => LazyDomain.Value;

    public static DocumentSchema People => LazyPeople.Value;

    public static DocumentSchema Policy => LazyPolicy.Value;

    /// <summary>The embedded resource name (also the file name under src/Meshwork.Core/Schemas/).</summary>
    public string Resource { get; }

    /// <summary>The schema's JSON text, as shipped.</summary>
    public string Text { get; }

    public DiagnosticRule Rule { get; }

    /// <summary>Validates <paramref name="document"/>; reports every error and returns whether it is valid.</summary>
    public bool Validate(SourceDocument document, DiagnosticBag diagnostics)
    {
        if (_schema.Evaluate(document.Root, FlagOptions).IsValid)
        {
            return true;
        }

        var results = _schema.Evaluate(document.Root, DetailedOptions);
        foreach (var error in SchemaErrors.Summarize(results))
        {
            diagnostics.Report(Rule, document.Locate(error.Pointer), error.Message);
        }

        return false;
    }

    /// <summary>Whether <paramref name="root"/> satisfies the schema, without diagnostics.</summary>
    public bool IsValid(JsonElement root) => _schema.Evaluate(root, FlagOptions).IsValid;
}
