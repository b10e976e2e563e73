using System.Globalization;
using System.Text;
using Meshwork.Loading;
using Meshwork.Platform.Governing;

namespace Meshwork.Benchmarks;

/// <summary>
/// A copy of examples/retail with one more product, <c>customers.accounts</c>: a source-aligned product whose
/// output dataset <see cref="Address"/> has 20 columns (9 tagged pii, 3 restricted), 5 product-level rule
/// policies and 4 product-level column masks. With the retail policies that makes 5 masks, one row filter
/// (marketing analysts see their own country) and one access permit (analysts read the customers domain).
/// </summary>
public static class PolicyMesh
{
    public const string Address = "customers.accounts.accounts_v1";

    /// <summary>The repository root (the folder with Meshwork.slnx), found from the running assembly or the working folder.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Meshwork.slnx")))
                {
                    return folder.FullName;
                }
            }
        }

        throw new InvalidOperationException("The Meshwork repository (Meshwork.slnx) is not above " + AppContext.BaseDirectory);
    }

    /// <summary>Writes the mesh into a new temporary folder and refuses it unless it lints clean, policies included.</summary>
    public static string Write()
    {
        var root = Path.Combine(Path.GetTempPath(), "meshwork-bench-policies-" + Guid.NewGuid().ToString("N"));
        Copy(Path.Combine(RepositoryRoot(), "examples", "retail"), root);
        var product = Path.Combine(root, "domains", "customers", "accounts");
        Save(product, "product.odps.yaml", ProductYaml);
        Save(product, "accounts.odcs.yaml", Contract(output: true));
        Save(product, "crm_accounts.source.odcs.yaml", Contract(output: false));
        Save(product, "data/accounts.csv", Csv());
        foreach (var (name, text) in RulePolicies.Concat(MaskPolicies))
        {
            Save(product, name + ".policy.yaml", text);
        }

        var load = MeshLoader.Load(root);
        if (load.Diagnostics.HasErrors)
        {
            throw new InvalidOperationException($"The policy benchmark mesh in {root} does not load cleanly: " +
                string.Join("; ", load.Diagnostics.ToSortedList().Take(5).Select(d => $"{d.File}:{d.Line}: {d.Message}")));
        }

        var (_, report, _) = MeshGovernance.Lint(root, TimeProvider.System);
        if (report.Diagnostics.Count > 0)
        {
            throw new InvalidOperationException($"The policy benchmark mesh in {root} has {report.Errors} errors and {report.Warnings} warnings: " +
                string.Join("; ", report.Diagnostics.Take(5).Select(d => $"{d.File}:{d.Line}: {d.Rule}: {d.Message}")));
        }

        return root;
    }

    /// <summary>Copies a mesh repository, without its dot-folders (a local apply's data folder).</summary>
    internal static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        // .mesh is the data folder of a local apply, not part of the repository.
        foreach (var folder in Directory.EnumerateDirectories(from).Where(d => !Path.GetFileName(d).StartsWith('.')))
        {
            Copy(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }

    private static void Save(string folder, string relative, string content)
    {
        var path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    // name, logical type, classification, tags
    private static readonly (string Name, string Type, string Classification, string[] Tags)[] Columns =
    [
        ("account_id", "integer", "internal", ["subject-key"]),
        ("first_name", "string", "confidential", ["pii", "pii:name"]),
        ("last_name", "string", "confidential", ["pii", "pii:name"]),
        ("email", "string", "confidential", ["pii", "pii:email"]),
        ("phone", "string", "confidential", ["pii", "pii:phone"]),
        ("street", "string", "confidential", ["pii", "pii:address"]),
        ("postcode", "string", "confidential", ["pii", "pii:address"]),
        ("city", "string", "confidential", ["pii", "pii:address"]),
        ("country", "string", "internal", []),
        ("birth_date", "date", "restricted", ["pii", "pii:birth_date"]),
        ("signup_date", "date", "internal", []),
        ("last_login", "date", "internal", []),
        ("loyalty_tier", "string", "internal", []),
        ("loyalty_points", "integer", "internal", []),
        ("newsletter", "boolean", "internal", []),
        ("preferred_language", "string", "internal", []),
        ("lifetime_orders", "integer", "internal", []),
        ("lifetime_spend", "number", "internal", []),
        ("iban", "string", "restricted", ["pii", "pii:bank"]),
        ("credit_limit", "number", "restricted", []),
    ];

    private static string Contract(bool output)
    {
        var text = new StringBuilder();
        text.Append(output
            ? """
              apiVersion: v3.1.0
              kind: DataContract
              id: customers.accounts.accounts.v1
              name: Customer accounts
              version: 1.0.0
              status: active
              domain: customers
              dataProduct: accounts
              description:
                purpose: Customer accounts with contact, address, loyalty and payment details - a wide dataset for the policy benchmarks.
                limitations: Personal data; masked and filtered by the mesh's policies.
                usage: Join on account_id.
              tags: [customers, pii]
              schema:
                - name: accounts
                  physicalType: table
                  description: One row per customer account.
                  customProperties:
                    - property: meshwork.subjectKey
                      value: account_id
                  properties:

              """
            : """
              apiVersion: v3.1.0
              kind: DataContract
              id: customers.accounts.source.crm_accounts
              name: CRM account export
              version: 1.0.0
              status: active
              domain: customers
              dataProduct: accounts
              description:
                purpose: Nightly CSV export of the customer accounts from the CRM.
              servers:
                - server: crm_export
                  type: local
                  format: csv
                  path: ./data/accounts.csv
                  description: CSV with a header line.
              schema:
                - name: crm_accounts
                  physicalType: file
                  description: One row per customer account.
                  properties:

              """);
        foreach (var (name, type, classification, tags) in Columns)
        {
            text.Append(CultureInfo.InvariantCulture, $"      - name: {name}\n");
            text.Append(CultureInfo.InvariantCulture, $"        logicalType: {type}\n");
            if (name == "account_id")
            {
                text.Append("        required: true\n        unique: true\n        primaryKey: true\n        primaryKeyPosition: 1\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"        classification: {classification}\n");
            if (tags.Length > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"        tags: [{string.Join(", ", tags)}]\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"        description: The account's {name.Replace('_', ' ')}.\n");
        }

        if (output)
        {
            text.Append("""
                slaProperties:
                  - property: latency
                    value: 1
                    unit: d
                    description: Published by the next day.
                  - property: retention
                    value: 3
                    unit: y
                    description: Closed accounts are erased after three years.

                """);
        }

        return text.ToString();
    }

    private static string Csv()
    {
        var text = new StringBuilder(string.Join(",", Columns.Select(c => c.Name))).Append('\n');
        text.Append("1,Ada,Meyer,ada@example.com,+49 30 5550 1000,Main St 1,10115,Berlin,DE,1980-01-02,2023-01-01,2024-05-01,gold,1200,true,de,14,1520.50,DE89370400440532013000,2000.0\n");
        text.Append("2,Luc,Petit,luc@example.org,+33 1 5550 1037,Rue 2,75001,Paris,FR,1975-03-04,2022-02-02,2024-04-03,silver,300,false,fr,3,210.00,FR7630006000011234567890189,500.0\n");
        return text.ToString();
    }

    private const string ProductYaml = """
        apiVersion: v1.0.0
        kind: DataProduct
        id: customers.accounts
        name: Customer accounts
        domain: customers
        status: active
        version: 1.0.0
        description:
          purpose: Customer accounts with contact, address, loyalty and payment details, for the policy benchmarks.
          limitations: Personal data; consumers see it as the policies shape it.
          usage: Join on account_id.
        tags: [customers, source-aligned, pii]
        team:
          name: team-customers
          members:
            - username: olivia
              role: owner
        inputPorts:
          - name: crm_accounts
            version: 1.0.0
            contractId: customers.accounts.source.crm_accounts
        outputPorts:
          - name: accounts
            description: One row per account; published as customers.accounts.accounts_v1.
            type: tables
            version: 1.0.0
            contractId: customers.accounts.accounts.v1
        support:
          - channel: "#team-customers"
            url: https://chat.retail.example.com/channels/team-customers
            tool: slack
            scope: interactive

        """;

    private static string Policy(string name, string type, string body) => $"""
        apiVersion: meshwork/v1
        kind: Policy
        name: {name}
        type: {type}
        {body}

        """;

    private static readonly (string Name, string Text)[] RulePolicies =
    [
        ("accounts-owned-by-customers", Policy("accounts-owned-by-customers", "rule", """
            check: resource.owner == 'team-customers'
            message: Accounts are owned by the customers team.
            """)),
        ("accounts-declares-latency", Policy("accounts-declares-latency", "rule", """
            check: "'latency' in resource.sla"
            message: Accounts declare how fresh they are.
            """)),
        ("accounts-tags-pii", Policy("accounts-tags-pii", "rule", """
            check: "!resource.column_tags.exists(t, t.startsWith('pii:')) || 'pii' in resource.tags"
            message: A product with pii columns carries the pii tag.
            """)),
        ("accounts-classifies-restricted", Policy("accounts-classifies-restricted", "rule", """
            check: "'restricted' in resource.classifications && resource.classifications.size() >= 2"
            message: Accounts classify their payment columns as restricted.
            """)),
        ("accounts-describes-itself", Policy("accounts-describes-itself", "rule", """
            check: resource.version != '' && resource.description.size() > 20 && resource.status == 'active'
            message: Accounts say what they are for, in a sentence.
            """)),
    ];

    private static readonly (string Name, string Text)[] MaskPolicies =
    [
        ("accounts-hash-subject-key", Policy("accounts-hash-subject-key", "column_mask", """
            targets:
              tags: [subject-key]
            when: principal.team != resource.owner
            mask: MASK_HASH
            """)),
        ("accounts-phone-last-4", Policy("accounts-phone-last-4", "column_mask", """
            targets:
              tags: ["pii:phone"]
            when: principal.clearance < 3
            mask: MASK_SHOW_LAST_4
            """)),
        ("accounts-restricted-null", Policy("accounts-restricted-null", "column_mask", """
            targets:
              classifications: [restricted]
            when: principal.clearance < 3 && !('fraud' in principal.purposes)
            mask: MASK_NULL
            """)),
        ("accounts-birth-year", Policy("accounts-birth-year", "column_mask", """
            targets:
              tags: ["pii:birth_date"]
            when: request.purpose != 'fraud'
            mask: MASK_DATE_SHOW_YEAR
            """)),
    ];
}
