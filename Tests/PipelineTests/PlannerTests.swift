import Foundation
import Queue
import Jobs
import SpectraTestSupport
import Testing
@testable import Pipeline

@Suite struct PlannerTests {
    @Test func planningTwiceAddsNothing() throws {
        let url = try TestSupport.migratedDatabase()
        let request = PlanRequest(family: "local", models: [SpectraExecutable.bundledSeries.path])
        let first = try Planner(logger: TestSupport.logger).plan(request, url: url)
        let second = try Planner(logger: TestSupport.logger).plan(request, url: url)
        #expect(first.jobsCreated > 0)
        #expect(first.jobsCreated == first.jobsTotal)
        #expect(second.runID == first.runID)
        #expect(second.jobsCreated == 0)
        #expect(second.jobsTotal == first.jobsTotal)
        #expect(try TestSupport.count("select count(*) as n from spectra.checkpoints", url: url) == first.checkpoints)
        #expect(try TestSupport.count("select count(*) as n from spectra.runs", url: url) == 1)
        let layers = try TestSupport.count("select max(num_layers) as n from spectra.models", url: url)
        #expect(first.jobsTotal == first.checkpoints * layers)
    }

    @Test func layerSelectionPlansOnlyThoseLayers() throws {
        let url = try TestSupport.migratedDatabase()
        let request = PlanRequest(family: "local", models: [SpectraExecutable.bundledSeries.path],
                                  layers: try LayerSelection(parsing: "1,3"))
        let summary = try Planner(logger: TestSupport.logger).plan(request, url: url)
        #expect(summary.jobsTotal == summary.checkpoints * 2)
        #expect(try TestSupport.count("select count(distinct layer) as n from spectra.jobs", url: url) == 2)
    }

    @Test func sameNameWithOtherConfigurationIsRefused() throws {
        let url = try TestSupport.migratedDatabase()
        let planner = Planner(logger: TestSupport.logger)
        _ = try planner.plan(PlanRequest(family: "local", models: [SpectraExecutable.bundledSeries.path],
                                         layers: .some([0]), runName: "mine"), url: url)
        #expect(throws: PipelineError.self) {
            try planner.plan(PlanRequest(family: "local", models: [SpectraExecutable.bundledSeries.path],
                                         layers: .some([1]), runName: "mine"), url: url)
        }
    }

    @Test(arguments: ["", "x", "3-1", "-1", "1,,2"])
    func malformedLayerSelectionsAreErrors(text: String) {
        #expect(throws: PipelineError.self) { try LayerSelection(parsing: text) }
    }

    @Test func layerSelectionParsesListsAndRanges() throws {
        #expect(try LayerSelection(parsing: "all") == .all)
        #expect(try LayerSelection(parsing: "4-6, 0,5") == .some([0, 4, 5, 6]))
        #expect(throws: PipelineError.self) { try LayerSelection.some([7]).resolve(count: 4, model: "m") }
    }
}
