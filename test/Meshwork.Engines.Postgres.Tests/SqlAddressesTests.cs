namespace Meshwork.Engines.Postgres.Tests;

/// <summary>Dataset addresses in a domain's SQL become session relations; nothing else in the SQL changes.</summary>
public sealed class SqlAddressesTests
{
    private static readonly HashSet<string> Known = new(["sales.orders.orders_v1", "customers.profiles.profiles_v1"], StringComparer.Ordinal);

    [Fact]
    public void Rewrite_KnownAddress_BecomesOneQuotedIdentifier() =>
        Assert.Equal("SELECT o.id FROM \"sales.orders.orders_v1\" AS o", SqlAddresses.Rewrite("SELECT o.id FROM sales.orders.orders_v1 AS o", Known));

    [Fact]
    public void Rewrite_QuotedOrUpperCaseParts_AreTheSameAddress()
    {
        Assert.Equal("SELECT * FROM \"sales.orders.orders_v1\"", SqlAddresses.Rewrite("SELECT * FROM \"sales\".\"orders\".\"orders_v1\"", Known));
        Assert.Equal("SELECT * FROM \"sales.orders.orders_v1\"", SqlAddresses.Rewrite("SELECT * FROM SALES.Orders.ORDERS_V1", Known));
    }

    [Fact]
    public void Rewrite_ColumnQualifiedByTheAddress_KeepsTheColumn() =>
        Assert.Equal("SELECT \"sales.orders.orders_v1\".\"id\" FROM \"sales.orders.orders_v1\"",
            SqlAddresses.Rewrite("SELECT sales.orders.orders_v1.id FROM sales.orders.orders_v1", Known));

    [Theory]
    [InlineData("SELECT 'sales.orders.orders_v1' AS s")]
    [InlineData("SELECT 1 -- from other.place.table_v1\n")]
    [InlineData("SELECT 1 /* other.place.table_v1 */")]
    [InlineData("SELECT $$other.place.table_v1$$, $q$x.y.z$q$")]
    [InlineData("SELECT p.customer_id, a.as_of_date - INTERVAL '60' DAY FROM t AS p")]
    [InlineData("SELECT E'it''s' AS e, 1.5e3 AS n")]
    public void Rewrite_StringsCommentsAndTwoPartNames_AreLeftAsTheyAre(string sql) =>
        Assert.Equal(sql, SqlAddresses.Rewrite(sql, Known));

    [Fact]
    public void Rewrite_UnknownAddress_FailsNamingItAndTheInputs()
    {
        var error = Assert.Throws<EngineException>(() => SqlAddresses.Rewrite("SELECT * FROM finance.payments.payments_v1", Known));

        Assert.Contains("reads finance.payments.payments_v1, which is not a dataset this run reads", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, EngineMessages.Redact(error.Message));
        Assert.Contains("customers.profiles.profiles_v1, sales.orders.orders_v1", error.Message, StringComparison.Ordinal);
    }
}
