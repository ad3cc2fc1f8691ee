from coach.ui import facilitator_page

facilitator_page.render()
