using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Confluent.SchemaRegistry;

namespace Meshwork.Server.Tests.Apis;

/// <summary>JSON Schema and Protobuf subjects, through Confluent's client and plain HTTP.</summary>
public abstract partial class RegistryApiTests<TFixture>
{
    private const string OrderV1 = """{"type":"object","properties":{"id":{"type":"integer"},"total":{"type":"number"}},"required":["id"],"additionalProperties":false}""";
    private const string OrderV2 = """{"type":"object","properties":{"id":{"type":"integer"},"total":{"type":"number"},"note":{"type":"string"}},"required":["id"],"additionalProperties":false}""";
    private const string OrderBreaking = """{"type":"object","properties":{"id":{"type":"string"},"total":{"type":"number"}},"required":["id"],"additionalProperties":false}""";

    private const string UserProtoV1 = "syntax = \"proto3\";\npackage test;\nmessage User {\n  int64 id = 1;\n  string name = 2;\n}\n";
    private const string UserProtoV2 = "syntax = \"proto3\";\npackage test;\nmessage User {\n  int64 id = 1;\n  string name = 2;\n  string email = 3;\n}\n";
    private const string UserProtoBreaking = "syntax = \"proto3\";\npackage test;\nmessage User {\n  int64 id = 1;\n  double name = 2;\n}\n";

    [Fact]
    public async Task SchemaTypes_ListsAvroJsonAndProtobuf()
    {
        using var http = Http("mallory");

        var types = await http.GetFromJsonAsync<string[]>(new Uri($"{server.Url}/registry/schemas/types"), Cancel);

        Assert.Equal(["AVRO", "JSON", "PROTOBUF"], types ?? []);
    }

    [Fact]
    public async Task ConfluentClient_JsonSchema_RegistersFetchesEvolvesAndRefusesABreakingChange()
    {
        using var client = Client("admin");
        var subject = Subject();

        var id = await client.RegisterSchemaAsync(subject, new Schema(OrderV1, SchemaType.Json));
        var again = await client.RegisterSchemaAsync(subject, new Schema(OrderV1.Replace(",", ",\n  ", StringComparison.Ordinal).Replace(":", ": ", StringComparison.Ordinal), SchemaType.Json));
        var fetched = await client.GetSchemaAsync(id);
        var evolved = await client.RegisterSchemaAsync(subject, new Schema(OrderV2, SchemaType.Json));
        var latest = await client.GetLatestSchemaAsync(subject);
        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(subject, new Schema(OrderBreaking, SchemaType.Json)));

        Assert.Equal(id, again); // the same schema with other whitespace
        Assert.Equal(SchemaType.Json, fetched.SchemaType);
        Assert.Equal(OrderV1, fetched.SchemaString);
        Assert.NotEqual(id, evolved);
        Assert.Equal(2, latest.Version);
        Assert.Equal(SchemaType.Json, latest.SchemaType);
        Assert.Equal(HttpStatusCode.Conflict, error.Status);
        Assert.Equal(409, error.ErrorCode);
        Assert.Contains("TypeChanged at /properties/id", error.Message, StringComparison.Ordinal);
        Assert.False(await client.IsCompatibleAsync(subject, new Schema(OrderBreaking, SchemaType.Json)));
    }

    [Fact]
    public async Task ConfluentClient_Protobuf_RegistersFetchesEvolvesAndRefusesABreakingChange()
    {
        using var client = Client("admin");
        var subject = Subject();

        var id = await client.RegisterSchemaAsync(subject, new Schema(UserProtoV1, SchemaType.Protobuf));
        var again = await client.RegisterSchemaAsync(subject, new Schema("// the same, commented\n" + UserProtoV1, SchemaType.Protobuf));
        var fetched = await client.GetSchemaAsync(id);
        var evolved = await client.RegisterSchemaAsync(subject, new Schema(UserProtoV2, SchemaType.Protobuf));
        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(subject, new Schema(UserProtoBreaking, SchemaType.Protobuf)));

        Assert.Equal(id, again);
        Assert.Equal(SchemaType.Protobuf, fetched.SchemaType);
        Assert.Equal(UserProtoV1, fetched.SchemaString);
        Assert.NotEqual(id, evolved);
        Assert.Equal(409, error.ErrorCode);
        Assert.Contains("FieldScalarKindChanged at /User/2", error.Message, StringComparison.Ordinal);
        Assert.True(await client.IsCompatibleAsync(subject, new Schema(UserProtoV2, SchemaType.Protobuf)));
    }

    [Fact]
    public async Task Rest_JsonSchema_RegisterFetchAndIncompatibleIs409()
    {
        using var http = Http("admin");
        var subject = Subject();

        var registered = await http.PostAsJsonAsync($"{server.Url}/registry/subjects/{subject}/versions", new { schema = OrderV1, schemaType = "JSON" }, Cancel);
        var id = (await registered.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetInt32();
        var byId = await http.GetFromJsonAsync<JsonElement>(new Uri($"{server.Url}/registry/schemas/ids/{id}"), Cancel);
        var version = await http.GetFromJsonAsync<JsonElement>(new Uri($"{server.Url}/registry/subjects/{subject}/versions/latest"), Cancel);
        var breaking = await http.PostAsJsonAsync($"{server.Url}/registry/subjects/{subject}/versions", new { schema = OrderBreaking, schemaType = "JSON" }, Cancel);
        var verbose = await http.PostAsJsonAsync($"{server.Url}/registry/compatibility/subjects/{subject}/versions/latest?verbose=true", new { schema = OrderBreaking, schemaType = "JSON" }, Cancel);

        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        Assert.Equal("JSON", byId.GetProperty("schemaType").GetString());
        Assert.Equal(OrderV1, byId.GetProperty("schema").GetString());
        Assert.Equal("JSON", version.GetProperty("schemaType").GetString());
        Assert.Equal(1, version.GetProperty("version").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, breaking.StatusCode);
        Assert.Equal(409, await CodeAsync(breaking));
        var result = await verbose.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.False(result.GetProperty("is_compatible").GetBoolean());
        Assert.Contains(result.GetProperty("messages").EnumerateArray(), m => m.GetString()!.StartsWith("TypeChanged at /properties/id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rest_Protobuf_RegisterFetchAndIncompatibleIs409()
    {
        using var http = Http("admin");
        var subject = Subject();

        var registered = await http.PostAsJsonAsync($"{server.Url}/registry/subjects/{subject}/versions", new { schema = UserProtoV1, schemaType = "PROTOBUF" }, Cancel);
        var id = (await registered.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetInt32();
        var text = await http.GetStringAsync(new Uri($"{server.Url}/registry/schemas/ids/{id}/schema"), Cancel);
        var looked = await http.PostAsJsonAsync($"{server.Url}/registry/subjects/{subject}", new { schema = UserProtoV1, schemaType = "PROTOBUF" }, Cancel);
        var breaking = await http.PostAsJsonAsync($"{server.Url}/registry/subjects/{subject}/versions", new { schema = UserProtoBreaking, schemaType = "PROTOBUF" }, Cancel);
        var invalid = await http.PostAsJsonAsync($"{server.Url}/registry/subjects/{subject}/versions", new { schema = "syntax = \"proto3\";\nmessage M { strin a = 1; }", schemaType = "PROTOBUF" }, Cancel);

        Assert.Equal(UserProtoV1, text);
        Assert.Equal(1, (await looked.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("version").GetInt32());
        Assert.Equal(409, await CodeAsync(breaking));
        var error = await invalid.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(42201, error.GetProperty("error_code").GetInt32());
        Assert.Contains("line 2, column 13", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rest_MixingSchemaTypesInASubject_Is409_EvenWithoutACompatibilityCheck()
    {
        using var client = Client("admin");
        using var http = Http("admin");
        var subject = Subject();
        await client.RegisterSchemaAsync(subject, new Schema(UserV1, SchemaType.Avro));
        await client.UpdateCompatibilityAsync(Compatibility.None, subject);

        var json = await http.PostAsJsonAsync($"{server.Url}/registry/subjects/{subject}/versions", new { schema = OrderV1, schemaType = "JSON" }, Cancel);

        var error = await json.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(409, error.GetProperty("error_code").GetInt32());
        Assert.Contains("different schema type", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rest_UnknownSchemaType_Is42201()
    {
        using var http = Http("admin");

        var response = await http.PostAsJsonAsync($"{server.Url}/registry/subjects/{Subject()}/versions", new { schema = "<a/>", schemaType = "XML" }, Cancel);

        Assert.Equal(42201, await CodeAsync(response));
    }

    [Fact]
    public async Task References_JsonRefAndProtobufImport_ResolveToTheReferencedSubjects()
    {
        using var client = Client("admin");
        var customers = Subject();
        var orders = Subject();
        var money = Subject();
        var invoices = Subject();

        // JSON Schema: "$ref" names the reference.
        var customerVersion = await RegisterAsync(client, customers, new Schema("""{"type":"object","properties":{"id":{"type":"integer"}}}""", SchemaType.Json));
        var order = new Schema("""{"type":"object","properties":{"customer":{"$ref":"customer.json"}}}""", [new SchemaReference("customer.json", customers, customerVersion)], SchemaType.Json);
        var orderId = await client.RegisterSchemaAsync(orders, order);

        // Protobuf: import "name".
        var moneyVersion = await RegisterAsync(client, money, new Schema("syntax = \"proto3\";\npackage common;\nmessage Money { int64 units = 1; }\n", SchemaType.Protobuf));
        var invoice = new Schema("syntax = \"proto3\";\nimport \"money.proto\";\nmessage Invoice { common.Money total = 1; }\n", [new SchemaReference("money.proto", money, moneyVersion)], SchemaType.Protobuf);
        var invoiceId = await client.RegisterSchemaAsync(invoices, invoice);
        var invoiceAgain = await client.RegisterSchemaAsync(invoices, invoice);

        var fetched = await client.GetSchemaAsync(orderId);
        Assert.Equal(customers, Assert.Single(fetched.References).Subject);
        Assert.Equal(invoiceId, invoiceAgain);

        // The referenced subjects cannot be deleted while these use them.
        using var http = Http("admin");
        var delete = await http.DeleteAsync(new Uri($"{server.Url}/registry/subjects/{money}"), Cancel);
        Assert.Equal(42206, await CodeAsync(delete));
    }

    private static async Task<int> RegisterAsync(CachedSchemaRegistryClient client, string subject, Schema schema)
    {
        await client.RegisterSchemaAsync(subject, schema);
        return (await client.GetLatestSchemaAsync(subject)).Version;
    }

    [Fact]
    public async Task Protobuf_TwelveThousandLevelsDeep_Is422OnLookupAndCompatibility_AndTheServerStaysUp()
    {
        using var client = Client("admin");
        using var http = Http("mallory");
        var subject = Subject();
        await client.RegisterSchemaAsync(subject, new Schema(UserProtoV1, SchemaType.Protobuf));
        var deep = new System.Text.StringBuilder("syntax = \"proto3\";\n");
        for (var i = 0; i < 12_000; i++)
        {
            deep.Append("message M").Append(i).Append(" {\n");
        }

        var body = new { schema = deep.Append('}', 12_000).ToString(), schemaType = "PROTOBUF" };

        var lookup = await http.PostAsJsonAsync($"{server.Url}/registry/subjects/{subject}", body, Cancel);
        var compatibility = await http.PostAsJsonAsync($"{server.Url}/registry/compatibility/subjects/{subject}/versions/latest", body, Cancel);
        var next = await http.GetAsync(new Uri($"{server.Url}/registry/subjects/{subject}/versions"), Cancel);

        var lookupError = await lookup.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, lookup.StatusCode);
        Assert.Equal(42201, lookupError.GetProperty("error_code").GetInt32());
        Assert.Contains("nests deeper than 64 levels", lookupError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, compatibility.StatusCode);
        Assert.Equal(42201, await CodeAsync(compatibility));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }
}
