from coach.ui import consensus_page

consensus_page.render()
