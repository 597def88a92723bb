// Categorize a few card payments, ask a model only about the ones nothing else knows, then learn
// a correction. The engine never calls a model itself: when no stage is confident it returns
// Decision.NeedsLlm(request); the app sends request.system and request.prompt to its own model
// and hands the answer text back with engine.resolve. Every call blocks: in an app, make them
// off the main thread (Dispatchers.IO).
//
// scripts/test-mobile.sh compiles this with the generated bindings and runs `example.CategorizeKt`.
package example

import dev.xspense.*

/** A fake model that finds a restaurant in everything. Replace the body with your client (OkHttp, ...). */
fun askMyModel(system: String, prompt: String): String =
    """{"category": "food.restaurants", "confidence": 0.85, "reason": "a place to eat"}"""

fun payment(id: String, descriptor: String, amount: String) = Transaction(id = id, tenant = "ana",
    descriptor = descriptor, amount = amount, direction = TxDirection.DEBIT, date = "2026-11-02")

fun main() {
    val engine = Engine()
    engine.addRules("ana", "merchant contains \"blue bottle\" => food.coffee")

    val payments = listOf(
        payment("1", "SQ *BLUE BOTTLE 0042 OAKLAND CA", "4.75"), // the tenant's own rule
        payment("2", "STARBUCKS STORE 10358 SEATTLE WA", "5.25"), // built-in merchant knowledge
        payment("3", "Kartenzahlung Baeckerei Schmidt Berlin", "3.20"), // nothing knows it: the model
        payment("4", "TRATTORIA DA LUIGI 55 MILANO", "48.00"), // nothing knows it: the model
    )
    val expected = mapOf("1" to ("food.coffee" to DecisionSource.RULE), "2" to ("food.coffee" to DecisionSource.KNOWLEDGE),
        "3" to ("food.restaurants" to DecisionSource.LLM), "4" to ("food.restaurants" to DecisionSource.LLM))

    var modelCalls = 0
    for (decision in engine.categorizeBatch(payments)) {
        val got = when (decision) {
            is Decision.Categorized -> decision.categorization
            is Decision.NeedsLlm -> {
                modelCalls++
                val request = decision.request
                engine.resolve(request, askMyModel(request.system, request.prompt)) // checked, then learned
            }
        }
        println("%-18s %-17s %-10s %.2f  %s".format(got.merchant, got.category, got.source.name.lowercase(), got.confidence, got.reason))
        check(got.category to got.source == expected[got.transactionId]) { "unexpected: $got" }
    }
    check(modelCalls == 2) { "model calls: $modelCalls" }

    // The answers were learned: the same trattoria next week needs no model.
    val again = (engine.categorize(payment("5", "TRATTORIA DA LUIGI 55 MILANO", "31.00")) as Decision.Categorized).categorization
    check(again.category == "food.restaurants" && again.source == DecisionSource.ALIAS) { "unexpected: $again" }

    // Ana files her bakery under groceries: one correction, and the next payment there follows it.
    engine.feedback(payments[2], "food.groceries")
    val bread = (engine.categorize(payment("6", "Kartenzahlung Baeckerei Schmidt Berlin", "2.90")) as Decision.Categorized).categorization
    println("after the correction: ${bread.merchant} -> ${bread.category} (${bread.source.name.lowercase()})")
    check(bread.category == "food.groceries" && bread.source == DecisionSource.ALIAS) { "unexpected: $bread" }
}
