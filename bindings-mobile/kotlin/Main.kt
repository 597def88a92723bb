// A Kotlin program on the JVM over the generated bindings: categorizes, learns, redacts, and runs
// a task through a store implemented in Kotlin, then opens the engine, tasks, audit log and limits on
// one SQLite file. `scripts/test-mobile.sh` compiles it with kotlinc
// and runs it with JNA; any failed check exits non-zero. With the argument `bench` it measures the
// per-transaction cost of categorize through the FFI, single calls and batches of 1,000, on
// the workload `binding_workload` writes (`bench /tmp/xspense-workload.tsv`).
import dev.xspense.*

val T0 = 1_800_000_000_000L

fun tx(id: String, descriptor: String, amount: String = "4.75") =
    Transaction(id = id, tenant = "ana", descriptor = descriptor, amount = amount,
        direction = TxDirection.DEBIT, date = "2026-11-02")

/** A task store in Kotlin, as an app would write one over Room: here a synchronized map. */
class MapStore : TaskStore {
    private val tasks = LinkedHashMap<String, Task>()
    private var done = 0uL
    private var failed = 0uL

    private fun own(tenant: String, id: String): Task =
        tasks[id]?.takeIf { it.tenant == tenant } ?: throw XspenseException.NotFound("task not found: $id")

    private fun held(tenant: String, id: String, worker: String, now: Long): Task {
        val t = own(tenant, id)
        if (t.state != TaskState.CLAIMED || t.leaseOwner != worker || (t.leaseExpiresAt ?: 0) <= now)
            throw XspenseException.LeaseLost("task $id is not leased to $worker")
        return t
    }

    @Synchronized override fun enqueue(task: NewTask, now: Long): Enqueued {
        tasks.values.firstOrNull { task.idempotencyKey != null && it.tenant == task.tenant && it.idempotencyKey == task.idempotencyKey }
            ?.let { return Enqueued(it, false) }
        val id = "kt_${tasks.size + 1}"
        val t = Task(id, task.tenant, task.queue, task.sender, task.intent, task.payloadJson,
            task.correlationId ?: id, task.idempotencyKey, task.priority, task.runAt ?: now, 0u,
            task.maxAttempts, TaskState.PENDING, null, null, null, null, now, now, null)
        tasks[id] = t
        return Enqueued(t, true)
    }

    @Synchronized override fun claim(queue: String, worker: String, leaseMs: Long, now: Long): Task? {
        val t = tasks.values.filter { it.queue == queue && it.state == TaskState.PENDING && it.runAt <= now }
            .sortedWith(compareBy({ -it.priority }, { it.runAt }, { it.id })).firstOrNull() ?: return null
        t.state = TaskState.CLAIMED; t.attempts += 1u; t.leaseOwner = worker; t.leaseExpiresAt = now + leaseMs
        return t
    }

    @Synchronized override fun heartbeat(tenant: String, id: String, worker: String, leaseMs: Long, now: Long): Long {
        val t = held(tenant, id, worker, now); t.leaseExpiresAt = now + leaseMs; return now + leaseMs
    }

    @Synchronized override fun complete(tenant: String, id: String, worker: String, resultJson: String, now: Long) {
        val t = held(tenant, id, worker, now)
        t.state = TaskState.COMPLETED; t.resultJson = resultJson; t.finishedAt = now; t.leaseOwner = null; done++
    }

    @Synchronized override fun fail(tenant: String, id: String, worker: String, error: String, retry: RetryPolicy, now: Long): TaskState {
        val t = held(tenant, id, worker, now)
        failed++; t.error = error; t.leaseOwner = null; t.leaseExpiresAt = null
        if (t.attempts >= t.maxAttempts) { t.state = TaskState.DEAD; t.finishedAt = now } else { t.state = TaskState.PENDING; t.runAt = now + retry.delayMs(t.id, t.attempts) }
        return t.state
    }

    @Synchronized override fun cancel(tenant: String, id: String, now: Long) {
        val t = own(tenant, id)
        if (t.state in setOf(TaskState.COMPLETED, TaskState.DEAD, TaskState.CANCELLED)) throw XspenseException.InvalidTransition("task $id is final")
        t.state = TaskState.CANCELLED; t.finishedAt = now
    }

    @Synchronized override fun get(tenant: String, id: String): Task = own(tenant, id)

    @Synchronized override fun stats(now: Long): QueueStats {
        val queues = tasks.values.groupBy { it.queue }.mapValues { (_, ts) ->
            QueueCounts(ts.groupingBy { it.state.name.lowercase() }.eachCount().mapValues { it.value.toULong() }, 0uL, null)
        }
        val total = done + failed
        return QueueStats(queues, done, failed, if (total > 0uL) failed.toDouble() / total.toDouble() else 0.0,
            tasks.values.count { it.state == TaskState.DEAD }.toULong())
    }

    @Synchronized override fun purge(retentionMs: Long, now: Long): ULong = 0uL
}

class FakeModel : LlmClient {
    var calls = 0
    override fun complete(request: LlmRequest): String {
        calls++
        check(!request.prompt.contains("4111")) { "a card number reached the prompt" }
        return """{"category": "food.restaurants", "confidence": 0.85, "reason": "a bakery"}"""
    }
}

fun demo() {
    readme() // the README's example (bindings-mobile/README.md), compiled in by test-mobile.sh
    println("README example: ok")
    val engine = Engine()
    engine.addRules("ana", "merchant contains \"blue bottle\" => food.coffee")
    val first = engine.categorizeBatch(listOf(tx("1", "SQ *BLUE BOTTLE 0042 OAKLAND CA"), tx("2", "Kartenzahlung Baeckerei Schmidt 4111 1111 1111 1111")))
    val coffee = (first[0] as Decision.Categorized).categorization
    check(coffee.category == "food.coffee" && coffee.source == DecisionSource.RULE) { "rule: $coffee" }
    check(first[1] is Decision.NeedsLlm) { "expected an LLM request" }
    println("categorized: ${coffee.merchant} -> ${coffee.category} (${coffee.source}, ${coffee.band})")

    val model = FakeModel()
    val viaModel = engine.categorizeWith(tx("3", "Kartenzahlung Baeckerei Schmidt"), model)
    val again = engine.categorizeWith(tx("4", "Kartenzahlung Baeckerei Schmidt"), model)
    check(viaModel.source == DecisionSource.LLM && again.source == DecisionSource.ALIAS && model.calls == 1)
    println("learned: ${again.merchant} -> ${again.category} (${again.source}); model calls: ${model.calls}")

    engine.feedback(tx("5", "POS KALOMI TASHI 0042"), "food.bars")
    check(engine.explain(tx("6", "POS KALOMI TASHI 0042")).category == "food.bars")
    val changes = engine.drainChanges()
    val restored = Engine(); restored.applyChanges(changes)
    check(restored.explain(tx("7", "POS KALOMI TASHI 0042")).category == "food.bars") { "changes replay" }

    // input as a host stores it, read by the core's rules before it is kept
    val parsed = parseTransactionJson("""{"id": "j1", "tenant": "ana", "descriptor": "TESCO STORES", "amount": -12.3, "currency": "gbp", "date": "2026-01-05"}""")
    check(parsed.amount == "12.30" && parsed.currency == "GBP" && parsed.direction == TxDirection.DEBIT) { "parsed: $parsed" }
    try {
        parseTransactionJson("""{"descriptor": "X", "amount": "1.00", "date": "2026-04-02", "mcc": 10000}""")
        error("an MCC above 9999 must be refused")
    } catch (ex: XspenseException.InvalidInput) {
        println("refused as expected: ${ex.message}")
    }
    // a bank export read by the core: the bytes in, typed records out
    val statement = readStatement("Date;Payee;Amount (EUR)\n15.01.2024;REWE Markt;-12,50\n".toByteArray(), null)
    val statementTx = statement.transactions.single()
    check(statementTx.amount == "-12.50" && statementTx.amountMinor == -1250L && statementTx.description == "REWE Markt") { "statement: $statementTx" }
    check(statement.report.format == "csv" && statement.report.currency.value == "EUR") { "report: ${statement.report}" }
    try {
        readStatement("Date,Amount\n".toByteArray(), """{"dateOrder": "dmy"}""")
        error("an unknown hint must be refused")
    } catch (_: XspenseException.InvalidInput) {}
    try {
        engine.categorize(tx("8", "TESCO STORES", amount = "4.7551"))
        error("more decimals than the currency has must be refused")
    } catch (_: XspenseException.InvalidInput) {}

    val history = (1..3).map { LabelledTransaction(tx("p$it", "NETFLIX.COM $it"), "entertainment.streaming") }
    val suggested = engine.suggestRules("ana", history, MiningOptions())
    check(suggested.size == 1 && suggested[0].support == 3u && suggested[0].precision == 1.0) { "suggest: $suggested" }
    check(engine.suggestRules("ana", history, MiningOptions(minSupport = 4u)).isEmpty()) { "min_support" }
    println("suggested: ${suggested[0].text}")

    val vault = TokenVault()
    val redactor = Redactor.withOptions(RedactorOptions(operator = RedactOperator.TOKEN))
    val safe = redactor.redact("refund 4111 1111 1111 1111 to ana@example.com", vault)
    check(safe.text == "refund <CARD_1> to <EMAIL_1>") { safe.text }
    check(vault.restore("Refunded <CARD_1>.") == "Refunded 4111 1111 1111 1111.")
    println("redacted: ${safe.text}")
    val custom = Redactor.withSpecJson("""{"operator": "mask", "detectors": [{"id": "employee-id", "kind": "EMPLOYEE_ID", "regex": "\\bEMP-\\d{6}\\b", "keywords": ["emp-"]}]}""")
    check(custom.redact("badge EMP-004211", null).findings.map { it.kind } == listOf("EMPLOYEE_ID")) { "custom detector" }

    val queue = TaskQueue.withStore(MapStore(), 100L, 10_000L)
    val e = queue.enqueue("ana", "sync", "categorize_batch", """{"rows": 120}""", EnqueueOptions(idempotencyKey = "upload-7"), T0)
    check(!queue.enqueue("ana", "sync", "categorize_batch", "{}", EnqueueOptions(idempotencyKey = "upload-7"), T0).created)
    val task = queue.claim("sync", "worker-1", 30_000L, T0) ?: error("nothing to claim")
    check(queue.fail("ana", task.id, "worker-1", "timeout", T0 + 1) == TaskState.PENDING)
    val retry = queue.claim("sync", "worker-2", 30_000L, T0 + 60_000) ?: error("no retry")
    try {
        queue.complete("ana", retry.id, "worker-1", "{}", T0 + 60_001)
        error("a lost lease must be refused")
    } catch (ex: XspenseException.LeaseLost) {
        println("refused as expected: ${ex.message}")
    }
    queue.complete("ana", retry.id, "worker-2", """{"ok": true}""", T0 + 60_002)
    check(queue.get("ana", e.task.id).state == TaskState.COMPLETED)
    try { queue.get("globex", e.task.id); error("tenants must not see each other's tasks") } catch (_: XspenseException.NotFound) {}
    println("task ${e.task.id}: ${queue.get("ana", e.task.id).state} after ${queue.get("ana", e.task.id).attempts} attempts; stats ${queue.stats(T0 + 70_000).completedTotal} completed")

    // the same objects on one SQLite file, as two processes of the app would open it
    val dir = java.nio.file.Files.createTempDirectory("xspense-kt")
    val url = "sqlite:" + dir.resolve("app.db")
    val one = Engine.open(url, null)
    one.feedback(tx("s1", "SQ *BLUE BOTTLE 0042 OAKLAND CA"), "food.restaurants")
    val two = Engine.open(url, null)
    val learned = (two.categorize(tx("s2", "SQ *BLUE BOTTLE 0042 OAKLAND CA")) as Decision.Categorized).categorization
    check(learned.category == "food.restaurants") { "engine state on a store: ${learned.category}" }
    val stored = TaskQueue.open(url)
    stored.enqueue("ana", "sync", "categorize_batch", "{}", EnqueueOptions(idempotencyKey = "upload-8"), T0)
    check(TaskQueue.open(url).claim("sync", "worker-1", 30_000L, T0) != null) { "task on a store" }
    AuditLog.open(url).append("ana", "worker-1", "other", "x", null, null, T0)
    check(AuditLog.open(url).verify("ana") == 1uL) { "audit on a store" }
    check(RateLimiter.open(url, 1u, 60_000L, 1u).check("ana", "/x", T0).allowed) { "limiter on a store" }
    check(!RateLimiter.open(url, 1u, 60_000L, 1u).check("ana", "/x", T0).allowed) { "limiter state shared" }
    println("stores on $url: engine, tasks, audit and limits seen by a second instance")
}

fun bench(workload: String) {
    // the workload of the criterion pipeline bench, written by `binding_workload` as TSV
    val rows = java.io.File(workload).readLines().map { it.split('\t') }
    fun row(r: List<String>) = Transaction(id = r[1], tenant = "bench", descriptor = r[2], amount = r[3],
        direction = if (r[4] == "credit") TxDirection.CREDIT else TxDirection.DEBIT, date = r[5])
    val engine = Engine()
    rows.filter { it[0] == "f" }.forEach { engine.feedback(row(it), it[6]) }
    val batch = rows.filter { it[0] == "b" }.map(::row)
    check(engine.categorizeBatch(batch).all { (it as Decision.Categorized).categorization.source == DecisionSource.ALIAS })
    fun best(runs: Int, f: () -> Unit): Double = (0 until runs).minOf { val t = System.nanoTime(); f(); (System.nanoTime() - t) / 1e3 }
    repeat(3) { batch.chunked(1000).forEach { engine.categorizeBatch(it) } } // JIT warm-up
    val batched = best(15) { batch.chunked(1000).forEach { engine.categorizeBatch(it) } } / batch.size
    val single = best(3) { batch.take(2000).forEach { engine.categorize(it) } } / 2000
    println("""{"kotlin_batch_1k_us_per_tx": ${"%.3f".format(batched)}, "kotlin_single_us_per_tx": ${"%.3f".format(single)}}""")
}

fun main(args: Array<String>) {
    if (args.firstOrNull() == "bench") bench(args.getOrElse(1) { "/tmp/xspense-workload.tsv" }) else demo()
}
