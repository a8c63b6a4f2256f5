// Starts GOV.UK Frontend's components (the UMD bundle defines window.GOVUKFrontend).
window.GOVUKFrontend.initAll()
